//! The test harness every crate shares to run the platform for real: [`Platform`] starts a
//! `platform serve` process on a free port with its own data directory (or a given database),
//! runs CLI commands against the same data, and is killed when dropped; [`mail`] reads the
//! `.eml` files the platform writes in development. Dev-only: the platform's integration tests,
//! the Rust client's, the console's and the load generator use it instead of copies of their own.

pub mod mail;
mod process;

pub use process::{Platform, Start, free_port, platform_bin};

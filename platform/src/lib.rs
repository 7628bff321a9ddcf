//! The multi-tenant authentication platform: the HTTP API, the data layer with one schema or
//! database file per tenant, mail, and the `platform` command.

pub mod app;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod mail;
pub mod masterkey;
pub mod migrate;
pub mod server;
pub mod store;
pub mod telemetry;
pub mod tenants;

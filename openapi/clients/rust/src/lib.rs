//! The platform's Rust client, generated at build time by progenitor from the committed
//! `openapi/platform.json`: every operation is a method named after its `operationId`
//! (cookie parameters are left out; refresh tokens travel in the body). The console uses the
//! operator operations; `tests/flow.rs` runs a tenant app's account flow against a real server.

#![allow(clippy::all, clippy::pedantic, missing_docs, unused)]

include!(concat!(env!("OUT_DIR"), "/client.rs"));

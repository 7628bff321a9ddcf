//! The platform's Rust client, generated at build time by progenitor from the committed
//! `openapi/platform.json` (every operation is a method named after its `operationId`).

#![allow(clippy::all, clippy::pedantic, missing_docs, unused)]

include!(concat!(env!("OUT_DIR"), "/client.rs"));

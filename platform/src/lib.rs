//! The multi-tenant authentication platform: the HTTP API, the data layer with one schema or
//! database file per tenant, mail, and the `platform` command.

pub mod accounts;
pub mod app;
pub mod audit;
pub mod authz;
pub mod backup;
pub mod cache_sync;
pub mod cli;
pub mod config;
pub mod configure;
pub mod context;
pub mod crypto;
pub mod domain;
pub mod error;
pub mod events;
pub mod http;
pub mod mail;
pub mod masterkey;
pub mod members;
pub mod mfa;
pub mod migrate;
pub mod operators;
pub mod paging;
pub mod ratelimit;
pub mod roles;
pub mod server;
pub mod sessions;
pub mod settings;
pub mod signin;
pub mod store;
pub mod telemetry;
pub mod tenants;
pub mod throttle;
pub mod tokens;
pub mod users;

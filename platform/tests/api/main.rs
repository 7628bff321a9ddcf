//! The platform's integration tests: one binary, every flow on SQLite and on PostgreSQL.
//!
//! PostgreSQL tests need `PLATFORM_TEST_DATABASE_URL` (a server where the test user may create
//! databases); `scripts/test.sh` starts a throwaway server and sets it. Each test gets its own
//! database, data directory and mail directory.

mod accounts;
mod audit;
mod backup;
mod cli;
mod cluster;
mod coverage;
mod faults;
mod helpers;
mod hostile;
mod http_basics;
mod mailbox;
mod members;
mod mfa;
mod migrate;
mod operators;
mod outbox;
mod scope;
mod security;
mod sessions;
mod settings;
mod spec;
mod tenants;
mod unit_of_work;

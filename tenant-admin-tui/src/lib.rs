//! The support console: ratatui + crossterm over the operator API, through the progenitor
//! client. Key → [`action::Action`] (the [`keymap`]) → [`update::update`] → [`ui::render`],
//! with requests run by [`api`] in a task that sends results back as actions ([`app`]).

pub mod action;
pub mod api;
pub mod app;
pub mod config;
pub mod keymap;
pub mod state;
pub mod ui;
pub mod update;

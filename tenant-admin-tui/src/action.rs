//! What can happen to the console: a user's intent (from the keymap), a tick of the clock, or
//! the result of a request. Plain data: `update` turns each into a new state and commands.

use crate::api::{Failure, Outcome};

/// One thing to react to.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    // Moving around.
    Up,
    Down,
    Enter,
    Back,
    NextPane,
    Help,
    Filter,
    Refresh,
    Quit,
    // Typing into a field or prompt.
    Char(char),
    Backspace,
    // Support actions on the selection.
    Revoke,
    RevokeAll,
    ResetMfa,
    ForceReset,
    ToggleDisabled,
    ChangeRole,
    Resend,
    Suspend,
    Delete,
    Create,
    Follow,
    Search,
    SessionsOfUser,
    // The clock (spinner, follow mode).
    Tick,
    // A request finished.
    Done(Box<Outcome>),
    Failed(Failure),
}

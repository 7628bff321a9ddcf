//! Keys to actions. The defaults are below; a config file may rebind any action by name
//! (`[keys] revoke = "x"`). While a field or prompt has focus, printable keys type.

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::Action;

/// Every bindable action by its config name, with its default keys and what it does.
pub const BINDINGS: &[(&str, &[&str], &str)] = &[
    ("up", &["up", "k"], "move up"),
    ("down", &["down", "j"], "move down"),
    ("enter", &["enter", "l", "right"], "open / confirm"),
    ("back", &["esc", "h", "left"], "back / cancel"),
    ("next_pane", &["tab"], "next pane"),
    ("help", &["?"], "this help"),
    ("filter", &["/"], "filter the list"),
    ("refresh", &["r"], "reload"),
    ("quit", &["q", "ctrl-c"], "quit"),
    ("revoke", &["x"], "revoke a session"),
    ("revoke_all", &["X"], "revoke all of a member"),
    ("reset_mfa", &["m"], "reset a member's MFA"),
    ("force_reset", &["p"], "force a password reset"),
    ("toggle_disabled", &["d"], "disable / enable"),
    ("change_role", &["R"], "change a member's role"),
    ("resend", &["i"], "resend an invitation"),
    ("suspend", &["s"], "suspend / resume"),
    ("delete", &["D"], "delete a tenant"),
    ("create", &["c"], "create a tenant"),
    ("follow", &["f"], "follow the audit log"),
    ("search", &["S"], "find a customer"),
    ("sessions_of_user", &["u"], "a member's sessions"),
];

fn action_named(name: &str) -> Option<Action> {
    Some(match name {
        "up" => Action::Up,
        "down" => Action::Down,
        "enter" => Action::Enter,
        "back" => Action::Back,
        "next_pane" => Action::NextPane,
        "help" => Action::Help,
        "filter" => Action::Filter,
        "refresh" => Action::Refresh,
        "quit" => Action::Quit,
        "revoke" => Action::Revoke,
        "revoke_all" => Action::RevokeAll,
        "reset_mfa" => Action::ResetMfa,
        "force_reset" => Action::ForceReset,
        "toggle_disabled" => Action::ToggleDisabled,
        "change_role" => Action::ChangeRole,
        "resend" => Action::Resend,
        "suspend" => Action::Suspend,
        "delete" => Action::Delete,
        "create" => Action::Create,
        "follow" => Action::Follow,
        "search" => Action::Search,
        "sessions_of_user" => Action::SessionsOfUser,
        _ => return None,
    })
}

/// A key as written in the config: `x`, `X`, `enter`, `ctrl-c`, `f5`…
pub fn parse_key(s: &str) -> Option<KeyEvent> {
    let (mods, name) = match s.strip_prefix("ctrl-") {
        Some(rest) => (KeyModifiers::CONTROL, rest),
        None => (KeyModifiers::NONE, s),
    };
    let code = match name {
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backspace" => KeyCode::Backspace,
        n if n.starts_with('f') && n.len() > 1 => KeyCode::F(n[1..].parse().ok()?),
        n => {
            let mut chars = n.chars();
            let c = chars.next()?;
            if chars.next().is_some() {
                return None;
            }
            KeyCode::Char(c)
        }
    };
    Some(KeyEvent::new(code, mods))
}

/// The key bindings in force.
#[derive(Clone, Debug)]
pub struct Keymap {
    keys: HashMap<(KeyCode, bool), Action>,
    /// For the help screen: action name, keys, description.
    pub listing: Vec<(String, Vec<String>, &'static str)>,
}

impl Keymap {
    /// The defaults with `overrides` (action name → keys) applied; unknown names or keys are
    /// reported.
    pub fn new(overrides: &HashMap<String, Vec<String>>) -> Result<Self, String> {
        for (name, keys) in overrides {
            if action_named(name).is_none() {
                return Err(format!("unknown action {name:?} in [keys]"));
            }
            if let Some(bad) = keys.iter().find(|k| parse_key(k).is_none()) {
                return Err(format!("unknown key {bad:?} for {name}"));
            }
        }
        let mut keys = HashMap::new();
        let mut listing = Vec::new();
        for (name, defaults, what) in BINDINGS {
            let chosen: Vec<String> = overrides
                .get(*name)
                .cloned()
                .unwrap_or_else(|| defaults.iter().map(|s| (*s).to_owned()).collect());
            for k in &chosen {
                if let (Some(ev), Some(action)) = (parse_key(k), action_named(name)) {
                    keys.insert(
                        (ev.code, ev.modifiers.contains(KeyModifiers::CONTROL)),
                        action,
                    );
                }
            }
            listing.push(((*name).to_owned(), chosen, *what));
        }
        Ok(Self { keys, listing })
    }

    /// The action of `key` when no field has focus.
    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        self.keys.get(&(key.code, ctrl)).cloned()
    }
}

/// What `key` does while a text field has focus: type, erase, or leave the field.
pub fn typing(key: &KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return (key.code == KeyCode::Char('c')).then_some(Action::Quit);
    }
    Some(match key.code {
        KeyCode::Char(c) => Action::Char(c),
        KeyCode::Backspace => Action::Backspace,
        KeyCode::Enter => Action::Enter,
        KeyCode::Esc => Action::Back,
        KeyCode::Tab | KeyCode::Down => Action::NextPane,
        KeyCode::Up => Action::Up,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_map_vim_keys_and_arrows() {
        let k = Keymap::new(&HashMap::new()).expect("defaults");
        for (key, action) in [
            ("j", Action::Down),
            ("down", Action::Down),
            ("k", Action::Up),
            ("?", Action::Help),
            ("ctrl-c", Action::Quit),
            ("X", Action::RevokeAll),
        ] {
            assert_eq!(k.action(&parse_key(key).expect(key)), Some(action), "{key}");
        }
    }

    #[test]
    fn overrides_rebind_and_bad_ones_are_named() {
        let o = HashMap::from([("revoke".to_owned(), vec!["z".to_owned()])]);
        let k = Keymap::new(&o).expect("override");
        assert_eq!(k.action(&parse_key("z").expect("z")), Some(Action::Revoke));
        assert_eq!(k.action(&parse_key("x").expect("x")), None);
        let bad = HashMap::from([("explode".to_owned(), vec!["e".to_owned()])]);
        assert!(Keymap::new(&bad).expect_err("unknown").contains("explode"));
        let bad = HashMap::from([("revoke".to_owned(), vec!["ctrl-".to_owned()])]);
        assert!(Keymap::new(&bad).is_err());
    }
}

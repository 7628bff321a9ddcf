//! `render(frame, state)`: draws the state, nothing else. Works from 80×24 up; smaller
//! terminals get a note instead of a broken layout.

mod overlays;
mod screens;

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    style::{Color, Modifier, Style},
    text::{Line, Span},
    widgets::Paragraph,
};

use crate::{
    keymap::Keymap,
    state::{Screen, State},
};

/// The smallest terminal the console draws into.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// Draws `state` into the frame.
pub fn render(frame: &mut Frame, state: &State, keymap: &Keymap) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        frame.render_widget(
            Paragraph::new(format!(
                "terminal too small ({}×{}); need {MIN_WIDTH}×{MIN_HEIGHT}",
                area.width, area.height
            )),
            area,
        );
        return;
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(frame, header, state);
    match state.screen {
        Screen::Login => screens::login(frame, body, state),
        Screen::Tenants => screens::tenants(frame, body, state),
        Screen::Tenant => screens::tenant(frame, body, state),
        Screen::Customers => screens::customers(frame, body, state),
    }
    render_footer(frame, footer, state);
    if let Some(p) = &state.prompt {
        overlays::prompt(frame, body, p);
    }
    if state.help {
        overlays::help(frame, body, keymap);
    }
    if let Some(p) = &state.popup {
        overlays::popup(frame, body, p);
    }
}

fn render_header(frame: &mut Frame, area: Rect, state: &State) {
    let who = match &state.operator {
        Some((email, role)) => format!("{email} ({role})"),
        None => "not signed in".into(),
    };
    let place = match (state.screen, &state.tenant) {
        (Screen::Tenant, Some(t)) => format!(" › {}", t.slug),
        (Screen::Customers, _) => " › customers".into(),
        _ => String::new(),
    };
    let line = Line::from(vec![
        Span::styled(
            " tenant-admin ",
            Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!(" {}{place}", state.login.server)),
        Span::raw("  "),
        Span::styled(who, Style::new().fg(Color::Gray)),
        Span::raw(format!("  {}", state.spinner())),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn render_footer(frame: &mut Frame, area: Rect, state: &State) {
    let hints = match state.screen {
        Screen::Login => "Tab next field · Enter sign in · Esc quit",
        Screen::Tenants => {
            "↑↓/jk move · Enter open · / filter · S search · c create · s suspend · D delete · ? help"
        }
        Screen::Tenant => {
            "Tab pane · / filter · x revoke · X revoke all · m MFA · p reset · d disable · f follow · Esc back"
        }
        Screen::Customers => "Enter open member · / filter · Esc back",
    };
    let text = if state.status.is_empty() {
        hints.to_owned()
    } else {
        format!("{} — {hints}", state.status)
    };
    frame.render_widget(
        Paragraph::new(Span::styled(text, Style::new().fg(Color::DarkGray))),
        area,
    );
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use ratatui::{Terminal, backend::TestBackend};

    use super::*;
    use crate::{
        action::Action,
        api::{Command, Customer, Event, Invitation, Member, Outcome, Session, Tenant},
        state::{Pane, Popup, Prompt, PromptKind},
        update::update,
    };

    fn draw(state: &State, w: u16, h: u16) -> String {
        let keymap = Keymap::new(&HashMap::new()).expect("keymap");
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| render(f, state, &keymap)).expect("draw");
        format!("{}", t.backend())
    }

    fn member(id: &str, email: &str, role: &str, status: &str, mfa: bool) -> Member {
        Member {
            id: id.into(),
            email: email.into(),
            role: role.into(),
            status: status.into(),
            mfa,
        }
    }

    fn loaded() -> State {
        let mut s = State::new("https://auth.example.test");
        update(
            &mut s,
            Action::Done(Box::new(Outcome::LoggedIn {
                email: "sam@platform.test".into(),
                role: "support".into(),
            })),
        );
        s.busy = 0;
        update(
            &mut s,
            Action::Done(Box::new(Outcome::Tenants(vec![
                Tenant {
                    slug: "acme".into(),
                    name: "Acme Inc".into(),
                    status: "active".into(),
                },
                Tenant {
                    slug: "globex".into(),
                    name: "Globex".into(),
                    status: "suspended".into(),
                },
                Tenant {
                    slug: "initech".into(),
                    name: "Initech".into(),
                    status: "active".into(),
                },
            ]))),
        );
        s
    }

    fn in_tenant() -> State {
        let mut s = loaded();
        update(&mut s, Action::Enter);
        s.busy = 0;
        let t = |o| Action::Done(Box::new(o));
        update(
            &mut s,
            t(Outcome::Members(
                "acme".into(),
                vec![
                    member("0195aaaa-1111", "olga@acme.test", "owner", "active", true),
                    member("0195bbbb-2222", "vic@acme.test", "viewer", "active", false),
                    member(
                        "0195cccc-3333",
                        "max@acme.test",
                        "member",
                        "disabled",
                        false,
                    ),
                ],
            )),
        );
        update(
            &mut s,
            t(Outcome::Sessions(
                "acme".into(),
                vec![
                    Session {
                        id: "0195dddd-4444".into(),
                        user_id: "0195aaaa-1111".into(),
                        ip: "203.0.113.7".into(),
                        user_agent: "Firefox".into(),
                        created: "2026-11-23 09:12".into(),
                    },
                    Session {
                        id: "0195eeee-5555".into(),
                        user_id: "0195bbbb-2222".into(),
                        ip: "198.51.100.2".into(),
                        user_agent: "curl/8".into(),
                        created: "2026-11-23 10:40".into(),
                    },
                ],
            )),
        );
        update(
            &mut s,
            t(Outcome::Invitations(
                "acme".into(),
                vec![Invitation {
                    id: "i1".into(),
                    email: "new@acme.test".into(),
                    role: "member".into(),
                    status: "pending".into(),
                }],
            )),
        );
        update(
            &mut s,
            t(Outcome::Audit(
                "acme".into(),
                vec![
                    Event {
                        id: "0195ffff-6666".into(),
                        time: "11-23 10:41:02".into(),
                        actor: "operator:0195abcd".into(),
                        action: "session.revoked".into(),
                        outcome: "success".into(),
                        target: "session:0195eeee".into(),
                        details: r#"{"reason":"ticket 42"}"#.into(),
                    },
                    Event {
                        id: "0195ffff-5555".into(),
                        time: "11-23 10:40:00".into(),
                        actor: "user:0195bbbb".into(),
                        action: "auth.login".into(),
                        outcome: "success".into(),
                        target: "session:0195eeee".into(),
                        details: r#"{"amr":["pwd"]}"#.into(),
                    },
                ],
            )),
        );
        s
    }

    #[test]
    fn login_screen() {
        let mut s = State::new("https://auth.example.test");
        for c in "sam@platform.test".chars() {
            update(&mut s, Action::Char(c));
        }
        update(&mut s, Action::Enter);
        for c in "secret".chars() {
            update(&mut s, Action::Char(c));
        }
        insta::assert_snapshot!(draw(&s, 80, 24));
    }

    #[test]
    fn tenants_screen_with_a_filter() {
        let mut s = loaded();
        insta::assert_snapshot!("tenants", draw(&s, 80, 24));
        update(&mut s, Action::Filter);
        update(&mut s, Action::Char('i'));
        update(&mut s, Action::Char('n'));
        insta::assert_snapshot!("tenants_filtered", draw(&s, 80, 24));
    }

    #[test]
    fn tenant_panes() {
        let mut s = in_tenant();
        for (name, pane) in [
            ("members", Pane::Members),
            ("sessions", Pane::Sessions),
            ("invitations", Pane::Invitations),
            ("audit", Pane::Audit),
        ] {
            s.pane = pane;
            insta::assert_snapshot!(name, draw(&s, 80, 24));
        }
    }

    #[test]
    fn overlays() {
        let mut s = in_tenant();
        s.pane = Pane::Sessions;
        s.prompt = Some(Prompt {
            kind: PromptKind::Reason {
                then: Box::new(Command::Tenants),
                what: "revoke session 0195dddd".into(),
            },
            text: "ticket 42".into(),
        });
        insta::assert_snapshot!("reason_prompt", draw(&s, 80, 24));
        s.prompt = None;
        s.popup = Some(Popup::Error {
            message: "403: this needs the operator permission platform:admin".into(),
            request_id: Some("01a2091b-a30f-7455".into()),
        });
        insta::assert_snapshot!("error_popup", draw(&s, 80, 24));
        s.popup = None;
        s.help = true;
        insta::assert_snapshot!("help", draw(&s, 80, 24));
        insta::assert_snapshot!("help_tall", draw(&s, 80, 40));
    }

    #[test]
    fn customers_screen() {
        let mut s = loaded();
        update(
            &mut s,
            Action::Done(Box::new(Outcome::Customers(
                vec![Customer {
                    tenant: "acme".into(),
                    member: member("0195bbbb-2222", "vic@acme.test", "viewer", "active", false),
                }],
                true,
            ))),
        );
        insta::assert_snapshot!(draw(&s, 80, 24));
    }

    #[test]
    fn tiny_and_resized_terminals_never_panic() {
        let s = in_tenant();
        insta::assert_snapshot!("tiny", draw(&s, 30, 6));
        for (w, h) in [(1, 1), (40, 10), (80, 24), (200, 60), (41, 11)] {
            let _ = draw(&s, w, h);
        }
    }
}

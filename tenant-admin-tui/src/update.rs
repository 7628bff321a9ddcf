//! `update(state, action)`: the console's whole behaviour, without a terminal or a network.
//! It returns the commands to send; their results come back later as actions.

use crate::{
    action::Action,
    api::{Command, MemberChange, Outcome},
    state::{Pane, Popup, Prompt, PromptKind, Screen, State},
};

/// Ticks (250 ms each) between refreshes of the audit log in follow mode.
pub const FOLLOW_TICKS: u64 = 8;

/// Applies `action` to `state`; returns the requests to make.
pub fn update(state: &mut State, action: Action) -> Vec<Command> {
    match action {
        Action::Tick => return tick(state),
        Action::Done(outcome) => {
            state.busy = state.busy.saturating_sub(1);
            return done(state, *outcome);
        }
        Action::Failed(f) => {
            state.busy = state.busy.saturating_sub(1);
            if f.signed_out && state.screen != Screen::Login {
                state.screen = Screen::Login;
                state.operator = None;
                state.login.password.clear();
                state.login.code.clear();
                state.login.focus = 2;
            }
            state.popup = Some(Popup::Error {
                message: f.message,
                request_id: f.request_id,
            });
            return vec![];
        }
        _ => {}
    }
    if state.popup.is_some() {
        if matches!(action, Action::Enter | Action::Back | Action::Quit) {
            state.popup = None;
        }
        return vec![];
    }
    if state.help {
        if matches!(
            action,
            Action::Enter | Action::Back | Action::Help | Action::Quit
        ) {
            state.help = false;
        }
        return vec![];
    }
    if state.prompt.is_some() {
        return prompt(state, action);
    }
    if action == Action::Quit {
        state.quit = true;
        return vec![];
    }
    match state.screen {
        Screen::Login => login(state, action),
        Screen::Tenants => tenants(state, action),
        Screen::Tenant => tenant(state, action),
        Screen::Customers => customers(state, action),
    }
}

fn tick(state: &mut State) -> Vec<Command> {
    state.ticks = state.ticks.wrapping_add(1);
    if state.follow
        && state.screen == Screen::Tenant
        && state.pane == Pane::Audit
        && state.busy == 0
        && state.ticks.is_multiple_of(FOLLOW_TICKS)
        && let Some(t) = &state.tenant
    {
        return vec![Command::Audit {
            tenant: t.slug.clone(),
        }];
    }
    vec![]
}

fn done(state: &mut State, outcome: Outcome) -> Vec<Command> {
    match outcome {
        Outcome::LoggedIn { email, role } => {
            state.operator = Some((email, role));
            state.login.password.clear();
            state.login.code.clear();
            state.screen = Screen::Tenants;
            state.status = "signed in".into();
            return vec![Command::Tenants];
        }
        Outcome::Tenants(t) => state.tenants.set(t),
        Outcome::Members(slug, m) if is_current(state, &slug) => state.members.set(m),
        Outcome::Sessions(slug, s) if is_current(state, &slug) => state.sessions.set(s),
        Outcome::Invitations(slug, i) if is_current(state, &slug) => state.invitations.set(i),
        Outcome::Audit(slug, e) if is_current(state, &slug) => state.audit.set(e),
        Outcome::Settings(slug, l) if is_current(state, &slug) => state.settings.set(l),
        Outcome::Customers(c, complete) => {
            state.customers.set(c);
            state.screen = Screen::Customers;
            if !complete {
                state.status = "the search ran out of time before every tenant was searched: \
                                these are the matches found; type more of the address"
                    .into();
            }
        }
        Outcome::Did { message, reload } => {
            state.status = message;
            return reload
                .into_iter()
                .map(|c| match c {
                    // Keep a member filter on sessions when reloading them.
                    Command::Sessions { tenant, .. } => Command::Sessions {
                        tenant,
                        user: state.session_user.as_ref().map(|(id, _)| id.clone()),
                    },
                    other => other,
                })
                .collect();
        }
        // A late answer about a tenant no longer on screen.
        _ => {}
    }
    vec![]
}

fn is_current(state: &State, slug: &str) -> bool {
    state.tenant.as_ref().is_some_and(|t| t.slug == slug)
}

fn login(state: &mut State, action: Action) -> Vec<Command> {
    let f = &mut state.login;
    match action {
        Action::Char(c) => f.field_mut().push(c),
        Action::Backspace => {
            f.field_mut().pop();
        }
        Action::NextPane | Action::Down => {
            f.focus = (f.focus + 1) % crate::state::LoginForm::FIELDS
        }
        Action::Up => {
            f.focus =
                (f.focus + crate::state::LoginForm::FIELDS - 1) % crate::state::LoginForm::FIELDS
        }
        Action::Back => state.quit = true,
        Action::Enter if f.focus < 3 => f.focus += 1,
        Action::Enter => {
            if f.server.trim().is_empty()
                || f.email.trim().is_empty()
                || f.password.is_empty()
                || f.code.trim().is_empty()
            {
                state.popup = Some(Popup::Error {
                    message: "fill in the server, email, password and TOTP code".into(),
                    request_id: None,
                });
                return vec![];
            }
            state.status = "signing in…".into();
            return vec![Command::Login {
                server: f.server.trim().to_owned(),
                email: f.email.trim().to_owned(),
                password: f.password.clone(),
                code: f.code.trim().to_owned(),
            }];
        }
        _ => {}
    }
    vec![]
}

fn open_prompt(state: &mut State, kind: PromptKind) {
    let text = match &kind {
        PromptKind::Filter => current_filter(state).clone(),
        _ => String::new(),
    };
    state.prompt = Some(Prompt { kind, text });
}

fn current_filter(state: &mut State) -> &mut String {
    match (state.screen, state.pane) {
        (Screen::Tenants, _) | (Screen::Login, _) => &mut state.tenants.filter,
        (Screen::Customers, _) => &mut state.customers.filter,
        (Screen::Tenant, Pane::Members) => &mut state.members.filter,
        (Screen::Tenant, Pane::Sessions) => &mut state.sessions.filter,
        (Screen::Tenant, Pane::Invitations) => &mut state.invitations.filter,
        (Screen::Tenant, Pane::Audit) => &mut state.audit.filter,
        (Screen::Tenant, Pane::Settings) => &mut state.settings.filter,
    }
}

fn clamp_all(state: &mut State) {
    state.tenants.clamp();
    state.members.clamp();
    state.sessions.clamp();
    state.invitations.clamp();
    state.audit.clamp();
    state.settings.clamp();
    state.customers.clamp();
}

fn prompt(state: &mut State, action: Action) -> Vec<Command> {
    let Some(mut p) = state.prompt.take() else {
        return vec![];
    };
    let live = p.kind == PromptKind::Filter;
    match action {
        Action::Char(c) => p.text.push(c),
        Action::Backspace => {
            p.text.pop();
        }
        Action::Back => {
            if live {
                current_filter(state).clear();
                clamp_all(state);
            }
            return vec![];
        }
        Action::Enter => return submit(state, p),
        _ => {}
    }
    if live {
        *current_filter(state) = p.text.clone();
        clamp_all(state);
    }
    state.prompt = Some(p);
    vec![]
}

fn submit(state: &mut State, p: Prompt) -> Vec<Command> {
    let text = p.text.trim().to_owned();
    let reason = (!text.is_empty()).then(|| text.clone());
    match p.kind {
        PromptKind::Filter => vec![],
        PromptKind::Reason { then, .. } => vec![with_reason(*then, reason)],
        PromptKind::ConfirmDelete { slug } => {
            if text == slug {
                vec![Command::DeleteTenant {
                    tenant: slug,
                    reason: None,
                }]
            } else {
                state.status = "not deleted: the slug did not match".into();
                vec![]
            }
        }
        PromptKind::Role { user, .. } if !text.is_empty() => {
            let tenant = state
                .tenant
                .as_ref()
                .map(|t| t.slug.clone())
                .unwrap_or_default();
            vec![Command::UpdateMember {
                tenant,
                user,
                change: MemberChange::Role(text),
                reason: None,
            }]
        }
        PromptKind::CreateSlug if !text.is_empty() => {
            state.prompt = Some(Prompt {
                kind: PromptKind::CreateOwner { slug: text },
                text: String::new(),
            });
            vec![]
        }
        PromptKind::CreateOwner { slug } => vec![Command::CreateTenant {
            slug,
            owner: reason,
        }],
        PromptKind::Search if !text.is_empty() => {
            state.status = format!("searching for {text}…");
            vec![Command::Customers { query: text }]
        }
        _ => vec![],
    }
}

fn with_reason(cmd: Command, reason: Option<String>) -> Command {
    match cmd {
        Command::RevokeSession {
            tenant, session, ..
        } => Command::RevokeSession {
            tenant,
            session,
            reason,
        },
        Command::RevokeUser { tenant, user, .. } => Command::RevokeUser {
            tenant,
            user,
            reason,
        },
        Command::UpdateMember {
            tenant,
            user,
            change,
            ..
        } => Command::UpdateMember {
            tenant,
            user,
            change,
            reason,
        },
        Command::Resend {
            tenant, invitation, ..
        } => Command::Resend {
            tenant,
            invitation,
            reason,
        },
        Command::SetTenantStatus { tenant, status, .. } => Command::SetTenantStatus {
            tenant,
            status,
            reason,
        },
        other => other,
    }
}

/// Opens the reason prompt for `cmd` (the action runs when it is answered).
fn ask_reason(state: &mut State, what: String, cmd: Command) -> Vec<Command> {
    open_prompt(
        state,
        PromptKind::Reason {
            then: Box::new(cmd),
            what,
        },
    );
    vec![]
}

fn tenants(state: &mut State, action: Action) -> Vec<Command> {
    match action {
        Action::Up => state.tenants.up(),
        Action::Down => state.tenants.down(),
        Action::Filter => open_prompt(state, PromptKind::Filter),
        Action::Refresh => return vec![Command::Tenants],
        Action::Help => state.help = true,
        Action::Search => open_prompt(state, PromptKind::Search),
        Action::Create => open_prompt(state, PromptKind::CreateSlug),
        Action::Back => state.tenants.filter.clear(),
        Action::Enter => {
            if let Some(t) = state.tenants.current().cloned() {
                return open_tenant(state, t, None);
            }
        }
        Action::Suspend => {
            if let Some(t) = state.tenants.current().cloned() {
                let status = if t.status == "suspended" {
                    "active"
                } else {
                    "suspended"
                };
                let verb = if status == "active" {
                    "resume"
                } else {
                    "suspend"
                };
                return ask_reason(
                    state,
                    format!("{verb} {}", t.slug),
                    Command::SetTenantStatus {
                        tenant: t.slug,
                        status: status.into(),
                        reason: None,
                    },
                );
            }
        }
        Action::Delete => {
            if let Some(t) = state.tenants.current().cloned() {
                open_prompt(state, PromptKind::ConfirmDelete { slug: t.slug });
            }
        }
        _ => {}
    }
    vec![]
}

fn open_tenant(
    state: &mut State,
    t: crate::api::Tenant,
    member_filter: Option<String>,
) -> Vec<Command> {
    let slug = t.slug.clone();
    state.tenant = Some(t);
    state.screen = Screen::Tenant;
    state.pane = Pane::Members;
    state.members = Default::default();
    state.members.filter = member_filter.unwrap_or_default();
    state.sessions = Default::default();
    state.invitations = Default::default();
    state.audit = Default::default();
    state.settings = Default::default();
    state.session_user = None;
    state.follow = false;
    vec![
        Command::Members {
            tenant: slug.clone(),
        },
        Command::Sessions {
            tenant: slug.clone(),
            user: None,
        },
        Command::Invitations {
            tenant: slug.clone(),
        },
        Command::Audit {
            tenant: slug.clone(),
        },
        Command::Settings { tenant: slug },
    ]
}

fn tenant(state: &mut State, action: Action) -> Vec<Command> {
    let Some(slug) = state.tenant.as_ref().map(|t| t.slug.clone()) else {
        state.screen = Screen::Tenants;
        return vec![];
    };
    match action {
        Action::Back => {
            if state.session_user.is_some() && state.pane == Pane::Sessions {
                state.session_user = None;
                return vec![Command::Sessions {
                    tenant: slug,
                    user: None,
                }];
            }
            state.screen = Screen::Tenants;
            state.follow = false;
            return vec![Command::Tenants];
        }
        Action::NextPane => state.pane = state.pane.next(),
        Action::Help => state.help = true,
        Action::Filter => open_prompt(state, PromptKind::Filter),
        Action::Search => open_prompt(state, PromptKind::Search),
        Action::Refresh => {
            return vec![match state.pane {
                Pane::Members => Command::Members { tenant: slug },
                Pane::Sessions => Command::Sessions {
                    tenant: slug,
                    user: state.session_user.as_ref().map(|(id, _)| id.clone()),
                },
                Pane::Invitations => Command::Invitations { tenant: slug },
                Pane::Audit => Command::Audit { tenant: slug },
                Pane::Settings => Command::Settings { tenant: slug },
            }];
        }
        Action::Up | Action::Down => {
            let up = action == Action::Up;
            match state.pane {
                Pane::Members => step(&mut state.members, up),
                Pane::Sessions => step(&mut state.sessions, up),
                Pane::Invitations => step(&mut state.invitations, up),
                Pane::Audit => step(&mut state.audit, up),
                Pane::Settings => step(&mut state.settings, up),
            }
        }
        Action::Follow if state.pane == Pane::Audit => {
            state.follow = !state.follow;
            state.status = if state.follow {
                "following new events"
            } else {
                "follow mode off"
            }
            .into();
            if state.follow {
                return vec![Command::Audit { tenant: slug }];
            }
        }
        Action::Revoke if state.pane == Pane::Sessions => {
            if let Some(s) = state.sessions.current().cloned() {
                return ask_reason(
                    state,
                    format!("revoke session {}", crate::api::short(&s.id)),
                    Command::RevokeSession {
                        tenant: slug,
                        session: s.id,
                        reason: None,
                    },
                );
            }
        }
        Action::RevokeAll
        | Action::ResetMfa
        | Action::ForceReset
        | Action::ToggleDisabled
        | Action::ChangeRole
        | Action::SessionsOfUser
        | Action::Enter
            if state.pane == Pane::Members =>
        {
            let Some(m) = state.members.current().cloned() else {
                return vec![];
            };
            return member_action(state, slug, m, action);
        }
        Action::RevokeAll if state.pane == Pane::Sessions => {
            if let Some(s) = state.sessions.current().cloned() {
                return ask_reason(
                    state,
                    "revoke every session of this member".into(),
                    Command::RevokeUser {
                        tenant: slug,
                        user: s.user_id,
                        reason: None,
                    },
                );
            }
        }
        Action::Resend if state.pane == Pane::Invitations => {
            if let Some(i) = state.invitations.current().cloned() {
                return ask_reason(
                    state,
                    format!("resend the invitation of {}", i.email),
                    Command::Resend {
                        tenant: slug,
                        invitation: i.id,
                        reason: None,
                    },
                );
            }
        }
        _ => {}
    }
    vec![]
}

/// Moves `list`'s selection one row up or down.
fn step<T: crate::state::Matches>(list: &mut crate::state::ListView<T>, up: bool) {
    if up { list.up() } else { list.down() }
}

fn member_action(
    state: &mut State,
    slug: String,
    m: crate::api::Member,
    action: Action,
) -> Vec<Command> {
    let update = |change| Command::UpdateMember {
        tenant: slug.clone(),
        user: m.id.clone(),
        change,
        reason: None,
    };
    match action {
        Action::Enter | Action::SessionsOfUser => {
            state.session_user = Some((m.id.clone(), m.email.clone()));
            state.pane = Pane::Sessions;
            state.sessions = Default::default();
            vec![Command::Sessions {
                tenant: slug,
                user: Some(m.id),
            }]
        }
        Action::RevokeAll => ask_reason(
            state,
            format!("revoke every session of {}", m.email),
            Command::RevokeUser {
                tenant: slug.clone(),
                user: m.id.clone(),
                reason: None,
            },
        ),
        Action::ResetMfa => ask_reason(
            state,
            format!("reset the MFA of {}", m.email),
            update(MemberChange::ResetMfa),
        ),
        Action::ForceReset => ask_reason(
            state,
            format!("force a password reset of {}", m.email),
            update(MemberChange::ForcePasswordReset),
        ),
        Action::ToggleDisabled => {
            let to = if m.status == "disabled" {
                "active"
            } else {
                "disabled"
            };
            ask_reason(
                state,
                format!("set {} {to}", m.email),
                update(MemberChange::Status(to.into())),
            )
        }
        Action::ChangeRole => {
            open_prompt(
                state,
                PromptKind::Role {
                    user: m.id.clone(),
                    email: m.email.clone(),
                },
            );
            vec![]
        }
        _ => vec![],
    }
}

fn customers(state: &mut State, action: Action) -> Vec<Command> {
    match action {
        Action::Up => state.customers.up(),
        Action::Down => state.customers.down(),
        Action::Back => state.screen = Screen::Tenants,
        Action::Help => state.help = true,
        Action::Filter => open_prompt(state, PromptKind::Filter),
        Action::Search => open_prompt(state, PromptKind::Search),
        Action::Enter => {
            if let Some(c) = state.customers.current().cloned() {
                let t = state
                    .tenants
                    .items
                    .iter()
                    .find(|t| t.slug == c.tenant)
                    .cloned()
                    .unwrap_or(crate::api::Tenant {
                        slug: c.tenant.clone(),
                        name: c.tenant.clone(),
                        status: String::new(),
                    });
                return open_tenant(state, t, Some(c.member.email));
            }
        }
        _ => {}
    }
    vec![]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Failure, Member, Session, Tenant};

    fn signed_in() -> State {
        let mut s = State::new("http://x.test");
        update(
            &mut s,
            Action::Done(Box::new(Outcome::LoggedIn {
                email: "op@x.test".into(),
                role: "support".into(),
            })),
        );
        s.busy = 0;
        update(
            &mut s,
            Action::Done(Box::new(Outcome::Tenants(vec![
                Tenant {
                    slug: "acme".into(),
                    name: "Acme".into(),
                    status: "active".into(),
                },
                Tenant {
                    slug: "globex".into(),
                    name: "Globex".into(),
                    status: "suspended".into(),
                },
            ]))),
        );
        s
    }

    fn typed(s: &mut State, text: &str) {
        for c in text.chars() {
            update(s, Action::Char(c));
        }
    }

    #[test]
    fn the_login_form_collects_fields_and_submits_once_complete() {
        let mut s = State::new("http://x.test");
        assert!(s.typing());
        typed(&mut s, "op@x.test");
        update(&mut s, Action::Enter);
        typed(&mut s, "pw");
        update(&mut s, Action::Enter);
        let cmds = update(&mut s, Action::Enter);
        assert!(cmds.is_empty(), "no code yet");
        assert!(matches!(s.popup, Some(Popup::Error { .. })));
        update(&mut s, Action::Back);
        typed(&mut s, "123456");
        let cmds = update(&mut s, Action::Enter);
        assert_eq!(
            cmds,
            vec![Command::Login {
                server: "http://x.test".into(),
                email: "op@x.test".into(),
                password: "pw".into(),
                code: "123456".into()
            }]
        );
        let cmds = update(
            &mut s,
            Action::Done(Box::new(Outcome::LoggedIn {
                email: "op@x.test".into(),
                role: "support".into(),
            })),
        );
        assert_eq!(s.screen, Screen::Tenants);
        assert!(s.login.password.is_empty(), "secrets are not kept");
        assert_eq!(cmds, vec![Command::Tenants]);
    }

    #[test]
    fn the_filter_narrows_live_and_esc_clears_it() {
        let mut s = signed_in();
        update(&mut s, Action::Filter);
        typed(&mut s, "glo");
        assert_eq!(s.tenants.visible().len(), 1);
        update(&mut s, Action::Back);
        assert_eq!(s.tenants.visible().len(), 2);
    }

    #[test]
    fn opening_a_tenant_loads_its_panes_and_tab_cycles() {
        let mut s = signed_in();
        let cmds = update(&mut s, Action::Enter);
        assert_eq!(s.screen, Screen::Tenant);
        assert_eq!(cmds.len(), 5);
        for p in [
            Pane::Sessions,
            Pane::Invitations,
            Pane::Audit,
            Pane::Settings,
            Pane::Members,
        ] {
            update(&mut s, Action::NextPane);
            assert_eq!(s.pane, p);
        }
        update(&mut s, Action::Back);
        assert_eq!(s.screen, Screen::Tenants);
    }

    #[test]
    fn revoking_asks_a_reason_then_revokes_and_reloads() {
        let mut s = signed_in();
        update(&mut s, Action::Enter);
        update(&mut s, Action::NextPane);
        update(
            &mut s,
            Action::Done(Box::new(Outcome::Sessions(
                "acme".into(),
                vec![Session {
                    id: "s1".into(),
                    user_id: "u1".into(),
                    ip: "1.2.3.4".into(),
                    user_agent: "curl".into(),
                    created: "now".into(),
                }],
            ))),
        );
        assert!(update(&mut s, Action::Revoke).is_empty());
        assert!(s.typing(), "the reason prompt is open");
        typed(&mut s, "ticket 7");
        let cmds = update(&mut s, Action::Enter);
        assert_eq!(
            cmds,
            vec![Command::RevokeSession {
                tenant: "acme".into(),
                session: "s1".into(),
                reason: Some("ticket 7".into())
            }]
        );
        let reload = update(
            &mut s,
            Action::Done(Box::new(Outcome::Did {
                message: "revoked".into(),
                reload: vec![Command::Sessions {
                    tenant: "acme".into(),
                    user: None,
                }],
            })),
        );
        assert_eq!(
            reload,
            vec![Command::Sessions {
                tenant: "acme".into(),
                user: None
            }]
        );
        assert_eq!(s.status, "revoked");
    }

    #[test]
    fn member_actions_and_deleting_needs_the_slug() {
        let mut s = signed_in();
        update(&mut s, Action::Enter);
        update(
            &mut s,
            Action::Done(Box::new(Outcome::Members(
                "acme".into(),
                vec![Member {
                    id: "u1".into(),
                    email: "a@acme.test".into(),
                    role: "member".into(),
                    status: "active".into(),
                    mfa: true,
                }],
            ))),
        );
        update(&mut s, Action::ResetMfa);
        let cmds = update(&mut s, Action::Enter);
        assert_eq!(
            cmds,
            vec![Command::UpdateMember {
                tenant: "acme".into(),
                user: "u1".into(),
                change: MemberChange::ResetMfa,
                reason: None
            }]
        );
        update(&mut s, Action::Back);
        update(&mut s, Action::Delete);
        typed(&mut s, "acm");
        assert!(
            update(&mut s, Action::Enter).is_empty(),
            "a wrong slug deletes nothing"
        );
        update(&mut s, Action::Delete);
        typed(&mut s, "acme");
        assert_eq!(
            update(&mut s, Action::Enter),
            vec![Command::DeleteTenant {
                tenant: "acme".into(),
                reason: None
            }]
        );
    }

    #[test]
    fn follow_mode_polls_the_audit_log_and_errors_pop_up() {
        let mut s = signed_in();
        update(&mut s, Action::Enter);
        s.busy = 0;
        for _ in 0..3 {
            update(&mut s, Action::NextPane);
        }
        assert_eq!(update(&mut s, Action::Follow).len(), 1);
        let polls: usize = (0..FOLLOW_TICKS * 2)
            .map(|_| update(&mut s, Action::Tick).len())
            .sum();
        assert_eq!(polls, 2);
        s.busy = 1;
        update(
            &mut s,
            Action::Failed(Failure {
                message: "403: nope".into(),
                request_id: Some("rid".into()),
                signed_out: false,
            }),
        );
        assert_eq!(
            s.popup,
            Some(Popup::Error {
                message: "403: nope".into(),
                request_id: Some("rid".into())
            })
        );
        assert_eq!(s.busy, 0);
        update(&mut s, Action::Enter);
        assert!(s.popup.is_none());
        update(
            &mut s,
            Action::Failed(Failure {
                message: "401".into(),
                request_id: None,
                signed_out: true,
            }),
        );
        assert_eq!(s.screen, Screen::Login, "an ended session signs out");
    }
}

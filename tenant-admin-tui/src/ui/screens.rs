//! The main screens: sign-in, tenants, one tenant's panes, customers found.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    style::{Color, Modifier, Style},
    text::{Line, Span},
    widgets::{Block, Cell, Paragraph, Row, Table, TableState, Tabs, Wrap},
};

use crate::{
    api::short,
    state::{ListView, Matches, Pane, State},
};

fn selected_style() -> Style {
    Style::new()
        .bg(Color::Blue)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD)
}

/// A bordered table of `list`'s visible rows with the selection highlighted.
fn table<T: Matches>(
    frame: &mut Frame,
    area: Rect,
    title: String,
    list: &ListView<T>,
    header: &[&str],
    widths: &[Constraint],
    row: impl Fn(&T) -> Vec<String>,
) {
    let visible = list.visible();
    let title = if list.filter.is_empty() {
        format!(" {title} ({}) ", visible.len())
    } else {
        format!(
            " {title} ({} of {}, filter: {}) ",
            visible.len(),
            list.items.len(),
            list.filter
        )
    };
    let rows: Vec<Row> = visible
        .iter()
        .map(|t| Row::new(row(t).into_iter().map(Cell::from)))
        .collect();
    let empty = rows.is_empty();
    let t = Table::new(rows, widths.to_vec())
        .header(
            Row::new(header.iter().map(|h| Cell::from(*h)))
                .style(Style::new().add_modifier(Modifier::BOLD)),
        )
        .block(Block::bordered().title(title))
        .row_highlight_style(selected_style());
    let mut ts = TableState::default().with_selected((!empty).then_some(list.selected));
    frame.render_stateful_widget(t, area, &mut ts);
    if empty {
        let msg = if list.loaded {
            "nothing here"
        } else {
            "loading…"
        };
        let inner = Rect {
            x: area.x + 2,
            y: area.y + 2,
            width: area.width.saturating_sub(4),
            height: 1.min(area.height.saturating_sub(3)),
        };
        frame.render_widget(
            Paragraph::new(Span::styled(msg, Style::new().fg(Color::DarkGray))),
            inner,
        );
    }
}

pub fn login(frame: &mut Frame, area: Rect, state: &State) {
    let f = &state.login;
    let fields = [
        ("Server", f.server.clone()),
        ("Email", f.email.clone()),
        ("Password", "•".repeat(f.password.chars().count())),
        ("TOTP code", f.code.clone()),
    ];
    let mut lines = vec![
        Line::from(Span::styled(
            "Sign in as an operator",
            Style::new().add_modifier(Modifier::BOLD),
        )),
        Line::raw(""),
    ];
    for (i, (label, value)) in fields.iter().enumerate() {
        let focused = i == f.focus;
        let marker = if focused { "› " } else { "  " };
        let style = if focused {
            Style::new().fg(Color::Yellow)
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{marker}{label:<10} "), style),
            Span::raw(format!("{value}{}", if focused { "_" } else { "" })),
        ]));
    }
    let w = area.width.min(64);
    let box_area = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + area.height.saturating_sub(9) / 3,
        width: w,
        height: 8.min(area.height),
    };
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Platform support console ")),
        box_area,
    );
}

pub fn tenants(frame: &mut Frame, area: Rect, state: &State) {
    table(
        frame,
        area,
        "Tenants".into(),
        &state.tenants,
        &["slug", "name", "status"],
        &[
            Constraint::Percentage(30),
            Constraint::Percentage(50),
            Constraint::Percentage(20),
        ],
        |t| vec![t.slug.clone(), t.name.clone(), t.status.clone()],
    );
}

pub fn tenant(frame: &mut Frame, area: Rect, state: &State) {
    let [tabs_area, main] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(2)]).areas(area);
    let selected = Pane::ALL.iter().position(|p| *p == state.pane).unwrap_or(0);
    let status = state
        .tenant
        .as_ref()
        .map(|t| t.status.as_str())
        .unwrap_or_default();
    let tabs = Tabs::new(Pane::ALL.iter().map(|p| p.title()))
        .select(selected)
        .highlight_style(Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD))
        .divider(" │ ");
    let [tabs_left, tabs_right] =
        Layout::horizontal([Constraint::Min(10), Constraint::Length(12)]).areas(tabs_area);
    frame.render_widget(tabs, tabs_left);
    let flag = if state.follow {
        "● following"
    } else {
        status
    };
    frame.render_widget(Paragraph::new(flag.to_owned()).right_aligned(), tabs_right);
    match state.pane {
        Pane::Members => table(
            frame,
            main,
            "Members".into(),
            &state.members,
            &["email", "role", "status", "mfa", "id"],
            &[
                Constraint::Min(20),
                Constraint::Length(8),
                Constraint::Length(9),
                Constraint::Length(4),
                Constraint::Length(9),
            ],
            |m| {
                vec![
                    m.email.clone(),
                    m.role.clone(),
                    m.status.clone(),
                    if m.mfa { "on" } else { "-" }.into(),
                    short(&m.id),
                ]
            },
        ),
        Pane::Sessions => {
            let title = match &state.session_user {
                Some((_, email)) => format!("Sessions of {email}"),
                None => "Sessions".into(),
            };
            let member = |id: &str| {
                state
                    .members
                    .items
                    .iter()
                    .find(|m| m.id == id)
                    .map_or_else(|| short(id), |m| m.email.clone())
            };
            table(
                frame,
                main,
                title,
                &state.sessions,
                &["member", "ip", "created", "agent", "id"],
                &[
                    Constraint::Min(16),
                    Constraint::Length(15),
                    Constraint::Length(16),
                    Constraint::Min(8),
                    Constraint::Length(9),
                ],
                |s| {
                    vec![
                        member(&s.user_id),
                        s.ip.clone(),
                        s.created.clone(),
                        s.user_agent.clone(),
                        short(&s.id),
                    ]
                },
            );
        }
        Pane::Invitations => table(
            frame,
            main,
            "Invitations".into(),
            &state.invitations,
            &["email", "role", "status"],
            &[
                Constraint::Min(20),
                Constraint::Length(10),
                Constraint::Length(10),
            ],
            |i| vec![i.email.clone(), i.role.clone(), i.status.clone()],
        ),
        Pane::Audit => {
            let [list, detail] =
                Layout::vertical([Constraint::Min(3), Constraint::Length(5)]).areas(main);
            table(
                frame,
                list,
                "Audit".into(),
                &state.audit,
                &["time", "action", "actor", "outcome", "target"],
                &[
                    Constraint::Length(14),
                    Constraint::Min(18),
                    Constraint::Length(14),
                    Constraint::Length(8),
                    Constraint::Length(14),
                ],
                |e| {
                    vec![
                        e.time.clone(),
                        e.action.clone(),
                        e.actor.clone(),
                        e.outcome.clone(),
                        e.target.clone(),
                    ]
                },
            );
            let text = state.audit.current().map_or_else(String::new, |e| {
                format!("{}  {}  by {}\n{}", e.id, e.action, e.actor, e.details)
            });
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: true })
                    .block(Block::bordered().title(" Detail ")),
                detail,
            );
        }
        Pane::Settings => table(
            frame,
            main,
            "Settings (change them with PATCH /v1/admin/tenants/{tenant})".into(),
            &state.settings,
            &["setting", "value"],
            &[Constraint::Length(24), Constraint::Min(20)],
            |(k, v)| vec![k.clone(), v.clone()],
        ),
    }
}

pub fn customers(frame: &mut Frame, area: Rect, state: &State) {
    table(
        frame,
        area,
        "Customers".into(),
        &state.customers,
        &["email", "tenant", "role", "status"],
        &[
            Constraint::Min(20),
            Constraint::Length(16),
            Constraint::Length(8),
            Constraint::Length(9),
        ],
        |c| {
            vec![
                c.member.email.clone(),
                c.tenant.clone(),
                c.member.role.clone(),
                c.member.status.clone(),
            ]
        },
    );
}

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

use crate::{keymap::Keymap, state::{Screen, State}};

/// The smallest terminal the console draws into.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// Draws `state` into the frame.
pub fn render(frame: &mut Frame, state: &State, keymap: &Keymap) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        frame.render_widget(
            Paragraph::new(format!("terminal too small ({}×{}); need {MIN_WIDTH}×{MIN_HEIGHT}", area.width, area.height)),
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
        Span::styled(" tenant-admin ", Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD)),
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
        Screen::Tenants => "↑↓/jk move · Enter open · / filter · S search · c create · s suspend · D delete · ? help",
        Screen::Tenant => "Tab pane · / filter · x revoke · X revoke all · m MFA · p reset · d disable · f follow · Esc back",
        Screen::Customers => "Enter open member · / filter · Esc back",
    };
    let text = if state.status.is_empty() {
        hints.to_owned()
    } else {
        format!("{} — {hints}", state.status)
    };
    frame.render_widget(Paragraph::new(Span::styled(text, Style::new().fg(Color::DarkGray))), area);
}

//! What opens over a screen: a prompt, the help, an error popup.

use ratatui::{
    Frame,
    layout::Rect,
    style::{Color, Modifier, Style},
    text::{Line, Span},
    widgets::{Block, Clear, Paragraph, Wrap},
};

use crate::{
    keymap::Keymap,
    state::{Popup, Prompt, PromptKind},
};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

pub fn prompt(frame: &mut Frame, area: Rect, p: &Prompt) {
    let (title, hint) = match &p.kind {
        PromptKind::Filter => {
            // The filter shows in the list's title; a one-line bar is enough.
            let bar = Rect {
                y: area.y + area.height.saturating_sub(1),
                height: 1,
                ..area
            };
            frame.render_widget(Clear, bar);
            frame.render_widget(Paragraph::new(format!("/{}_", p.text)), bar);
            return;
        }
        PromptKind::Reason { what, .. } => (
            format!(" {what} "),
            "Reason for the audit log (optional), Enter to confirm, Esc to cancel",
        ),
        PromptKind::ConfirmDelete { slug } => (
            format!(" delete {slug} and ALL its data "),
            "Type the tenant's slug to confirm, Esc to cancel",
        ),
        PromptKind::Role { email, .. } => (
            format!(" new role for {email} "),
            "owner, admin, member, viewer, guest or a custom role",
        ),
        PromptKind::CreateSlug => (
            " new tenant ".into(),
            "Slug: a-z, 0-9 and -, 3 to 40 characters",
        ),
        PromptKind::CreateOwner { slug } => (
            format!(" owner of {slug} "),
            "Email to invite as owner (optional), Enter to create",
        ),
        PromptKind::Search => (
            " find a customer ".into(),
            "An email address, or its start (3+ characters)",
        ),
    };
    let r = centered(area, 70, 5);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(hint, Style::new().fg(Color::DarkGray))),
            Line::from(format!("> {}_", p.text)),
        ])
        .block(
            Block::bordered()
                .title(title)
                .border_style(Style::new().fg(Color::Yellow)),
        ),
        r,
    );
}

pub fn help(frame: &mut Frame, area: Rect, keymap: &Keymap) {
    let line = |(_, keys, what): &(String, Vec<String>, &'static str)| {
        Line::from(vec![
            Span::styled(
                format!("{:<14}", keys.join(" ")),
                Style::new().fg(Color::Yellow),
            ),
            Span::raw(*what),
        ])
    };
    let all: Vec<Line> = keymap.listing.iter().map(line).collect();
    // One column when it fits, two side by side otherwise (80×24 needs two).
    let rows = u16::try_from(all.len()).unwrap_or(u16::MAX);
    let columns: u16 = if rows + 2 <= area.height { 1 } else { 2 };
    let per = all.len().div_ceil(usize::from(columns));
    let r = centered(
        area,
        if columns == 1 { 60 } else { 78 },
        u16::try_from(per).unwrap_or(u16::MAX) + 2,
    );
    frame.render_widget(Clear, r);
    let block = Block::bordered().title(" Keys (Esc closes; rebind them in the config file) ");
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let width = inner.width / columns;
    for (i, chunk) in all.chunks(per.max(1)).enumerate() {
        let x = inner.x + width * u16::try_from(i).unwrap_or(0);
        frame.render_widget(Paragraph::new(chunk.to_vec()), Rect { x, width, ..inner });
    }
}

pub fn popup(frame: &mut Frame, area: Rect, p: &Popup) {
    let Popup::Error {
        message,
        request_id,
    } = p;
    let mut lines = vec![Line::from(Span::styled(
        message.clone(),
        Style::new().add_modifier(Modifier::BOLD),
    ))];
    if let Some(id) = request_id {
        lines.push(Line::from(format!("request id: {id}")));
    }
    lines.push(Line::from(Span::styled(
        "Enter or Esc to dismiss",
        Style::new().fg(Color::DarkGray),
    )));
    let r = centered(area, 70, 6);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::bordered()
                .title(" Error ")
                .border_style(Style::new().fg(Color::Red)),
        ),
        r,
    );
}

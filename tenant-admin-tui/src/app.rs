//! The event loop: a key becomes an action (through the keymap), `update` changes the state and
//! names requests, a worker task runs them through the API and sends their results back as
//! actions, and the screen is redrawn. Requests never block the loop; a spinner shows instead.

use std::time::Duration;

use crossterm::event::{Event, KeyEvent, KeyEventKind, MouseEventKind};
use futures::{Stream, StreamExt};
use ratatui::{Terminal, backend::Backend};
use tokio::sync::mpsc;

use crate::{
    action::Action,
    api::{Api, Command},
    keymap::{self, Keymap},
    state::State,
    ui,
    update::update,
};

/// How often the clock ticks (spinner, follow mode).
pub const TICK: Duration = Duration::from_millis(250);

/// A running console over some terminal backend.
pub struct App<B: Backend> {
    pub state: State,
    pub terminal: Terminal<B>,
    keymap: Keymap,
    commands: mpsc::UnboundedSender<Command>,
    results: mpsc::UnboundedReceiver<Action>,
}

async fn worker(
    mut api: Api,
    mut rx: mpsc::UnboundedReceiver<Command>,
    tx: mpsc::UnboundedSender<Action>,
) {
    while let Some(cmd) = rx.recv().await {
        let action = match api.run(cmd).await {
            Ok(outcome) => Action::Done(Box::new(outcome)),
            Err(f) => Action::Failed(f),
        };
        if tx.send(action).is_err() {
            break;
        }
    }
}

impl<B: Backend> App<B> {
    /// A console drawing on `terminal`, starting from `state`.
    pub fn new(terminal: Terminal<B>, state: State, keymap: Keymap) -> Self {
        let (commands, rx) = mpsc::unbounded_channel();
        let (tx, results) = mpsc::unbounded_channel();
        tokio::spawn(worker(Api::new(&state.login.server), rx, tx));
        Self {
            state,
            terminal,
            keymap,
            commands,
            results,
        }
    }

    /// Redraws the screen.
    pub fn draw(&mut self) -> anyhow::Result<()> {
        let (state, keymap) = (&self.state, &self.keymap);
        self.terminal
            .draw(|f| ui::render(f, state, keymap))
            .map_err(|e| anyhow::anyhow!("drawing: {e}"))?;
        Ok(())
    }

    /// Applies `action` and sends the requests it names.
    pub fn handle(&mut self, action: Action) {
        for cmd in update(&mut self.state, action) {
            self.state.busy += 1;
            if self.commands.send(cmd).is_err() {
                self.state.busy -= 1;
            }
        }
    }

    /// A key press, through the keymap (or typed into the focused field).
    pub fn key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        let action = if self.state.typing() {
            keymap::typing(&key)
        } else {
            self.keymap.action(&key)
        };
        if let Some(a) = action {
            self.handle(a);
        }
    }

    /// Waits (at most `limit`) until no request is in flight, applying results as they come.
    pub async fn settle(&mut self, limit: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + limit;
        while self.state.busy > 0 {
            match tokio::time::timeout_at(deadline, self.results.recv()).await {
                Ok(Some(a)) => self.handle(a),
                Ok(None) => anyhow::bail!("the API worker stopped"),
                Err(_) => anyhow::bail!("requests still running after {limit:?}"),
            }
        }
        self.draw()
    }

    /// Runs until the user quits, reading terminal `events`.
    pub async fn run<S>(&mut self, mut events: S) -> anyhow::Result<()>
    where
        S: Stream<Item = std::io::Result<Event>> + Unpin,
    {
        let mut tick = tokio::time::interval(TICK);
        self.draw()?;
        while !self.state.quit {
            tokio::select! {
                ev = events.next() => match ev {
                    Some(Ok(Event::Key(k))) => self.key(k),
                    // The wheel moves the selection, like the arrows.
                    Some(Ok(Event::Mouse(m))) => match m.kind {
                        MouseEventKind::ScrollUp => self.handle(Action::Up),
                        MouseEventKind::ScrollDown => self.handle(Action::Down),
                        _ => {}
                    },
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e.into()),
                    None => break,
                },
                Some(a) = self.results.recv() => self.handle(a),
                _ = tick.tick() => self.handle(Action::Tick),
            }
            self.draw()?;
        }
        Ok(())
    }
}

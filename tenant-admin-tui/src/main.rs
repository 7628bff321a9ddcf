//! `tenant-admin-tui [--server URL] [--config FILE]`: starts the console in the terminal.

use std::path::PathBuf;

use clap::Parser;
use crossterm::{
    event::{DisableMouseCapture, EnableMouseCapture, EventStream},
    execute,
    terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode},
};
use ratatui::{Terminal, backend::CrosstermBackend};
use tenant_admin_tui::{app::App, config, keymap::Keymap, state::State};

/// The platform's support console.
#[derive(Debug, Parser)]
#[command(name = "tenant-admin-tui", version, about)]
struct Args {
    /// The platform's base URL (overrides the config file).
    #[arg(long)]
    server: Option<String>,
    /// The config file (default: $XDG_CONFIG_HOME/tenant-admin-tui/config.toml).
    #[arg(long)]
    config: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut cfg = config::load(args.config)?;
    if let Some(s) = args.server {
        cfg.server = s;
    }
    let keymap = Keymap::new(&cfg.keys).map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    enable_raw_mode()?;
    let mut out = std::io::stdout();
    execute!(out, EnterAlternateScreen, EnableMouseCapture)?;
    // Restore the terminal even if something panics.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = disable_raw_mode();
        let _ = execute!(std::io::stdout(), DisableMouseCapture, LeaveAlternateScreen);
        default_hook(info);
    }));
    let terminal = Terminal::new(CrosstermBackend::new(out))?;
    let mut app = App::new(terminal, State::new(&cfg.server), keymap);
    let result = app.run(EventStream::new()).await;
    disable_raw_mode()?;
    execute!(std::io::stdout(), DisableMouseCapture, LeaveAlternateScreen)?;
    result
}

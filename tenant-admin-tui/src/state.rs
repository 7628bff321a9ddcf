//! Everything the console shows, as plain data: `update` changes it, `ui::render` draws it.

use crate::api::{Command, Customer, Event, Invitation, Member, Session, Tenant};

/// The main screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Login,
    Tenants,
    Tenant,
    Customers,
}

/// The panes of a tenant's screen, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Members,
    Sessions,
    Invitations,
    Audit,
    Settings,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
        Pane::Members,
        Pane::Sessions,
        Pane::Invitations,
        Pane::Audit,
        Pane::Settings,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Members => "Members",
            Pane::Sessions => "Sessions",
            Pane::Invitations => "Invitations",
            Pane::Audit => "Audit",
            Pane::Settings => "Settings",
        }
    }

    pub fn next(self) -> Pane {
        let i = Pane::ALL.iter().position(|p| *p == self).unwrap_or(0);
        Pane::ALL[(i + 1) % Pane::ALL.len()]
    }
}

/// Something a list can be filtered on.
pub trait Matches {
    /// Whether `needle` (lower-case) occurs in what the row shows.
    fn matches(&self, needle: &str) -> bool;
}

impl Matches for Tenant {
    fn matches(&self, n: &str) -> bool {
        self.slug.contains(n) || self.name.to_lowercase().contains(n) || self.status == n
    }
}
impl Matches for Member {
    fn matches(&self, n: &str) -> bool {
        self.email.contains(n) || self.role == n || self.status == n || self.id.starts_with(n)
    }
}
impl Matches for Session {
    fn matches(&self, n: &str) -> bool {
        self.ip.contains(n)
            || self.user_agent.to_lowercase().contains(n)
            || self.id.starts_with(n)
            || self.user_id.starts_with(n)
    }
}
impl Matches for Invitation {
    fn matches(&self, n: &str) -> bool {
        self.email.contains(n) || self.status == n || self.role == n
    }
}
impl Matches for Event {
    fn matches(&self, n: &str) -> bool {
        self.action.contains(n)
            || self.actor.contains(n)
            || self.time.contains(n)
            || self.target.contains(n)
    }
}
impl Matches for (String, String) {
    fn matches(&self, n: &str) -> bool {
        self.0.contains(n) || self.1.to_lowercase().contains(n)
    }
}
impl Matches for Customer {
    fn matches(&self, n: &str) -> bool {
        self.tenant.contains(n) || self.member.matches(n)
    }
}

/// A list with a live filter and a selection within the filtered rows.
#[derive(Clone, Debug, PartialEq)]
pub struct ListView<T> {
    pub items: Vec<T>,
    pub selected: usize,
    pub filter: String,
    pub loaded: bool,
}

impl<T> Default for ListView<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            selected: 0,
            filter: String::new(),
            loaded: false,
        }
    }
}

impl<T: Matches> ListView<T> {
    /// The rows that pass the filter.
    pub fn visible(&self) -> Vec<&T> {
        let n = self.filter.to_lowercase();
        self.items
            .iter()
            .filter(|t| n.is_empty() || t.matches(&n))
            .collect()
    }

    /// The selected row, if any.
    pub fn current(&self) -> Option<&T> {
        self.visible().get(self.selected).copied()
    }

    pub fn up(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    pub fn down(&mut self) {
        let n = self.visible().len();
        if self.selected + 1 < n {
            self.selected += 1;
        }
    }

    /// Replaces the rows, keeping the selection in range.
    pub fn set(&mut self, items: Vec<T>) {
        self.items = items;
        self.loaded = true;
        self.clamp();
    }

    pub fn clamp(&mut self) {
        let n = self.visible().len();
        if self.selected >= n {
            self.selected = n.saturating_sub(1);
        }
    }
}

/// The sign-in form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoginForm {
    pub server: String,
    pub email: String,
    pub password: String,
    pub code: String,
    /// 0 server, 1 email, 2 password, 3 code.
    pub focus: usize,
}

impl LoginForm {
    pub const FIELDS: usize = 4;

    pub fn field_mut(&mut self) -> &mut String {
        match self.focus {
            0 => &mut self.server,
            1 => &mut self.email,
            2 => &mut self.password,
            _ => &mut self.code,
        }
    }
}

/// What a text prompt is for.
#[derive(Clone, Debug, PartialEq)]
pub enum PromptKind {
    /// The current list's live filter.
    Filter,
    /// A reason for `then` (may stay empty).
    Reason {
        then: Box<Command>,
        what: String,
    },
    /// Type the slug to delete the tenant.
    ConfirmDelete {
        slug: String,
    },
    /// A new role for member `user`.
    Role {
        user: String,
        email: String,
    },
    /// A new tenant's slug, then its owner's email.
    CreateSlug,
    CreateOwner {
        slug: String,
    },
    /// A customer's email (or its start).
    Search,
}

/// An open prompt and what was typed.
#[derive(Clone, Debug, PartialEq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
}

/// A message over everything until dismissed.
#[derive(Clone, Debug, PartialEq)]
pub enum Popup {
    Error {
        message: String,
        request_id: Option<String>,
    },
}

/// The whole console.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub screen: Screen,
    pub pane: Pane,
    pub login: LoginForm,
    /// The signed-in operator's email and role.
    pub operator: Option<(String, String)>,
    pub tenants: ListView<Tenant>,
    /// The tenant on the tenant screen.
    pub tenant: Option<Tenant>,
    pub members: ListView<Member>,
    pub sessions: ListView<Session>,
    /// Sessions narrowed to one member (id, email).
    pub session_user: Option<(String, String)>,
    pub invitations: ListView<Invitation>,
    pub audit: ListView<Event>,
    /// The tenant's settings (read-only here; change them with `PATCH /v1/admin/tenants/{t}`).
    pub settings: ListView<(String, String)>,
    pub follow: bool,
    pub customers: ListView<Customer>,
    pub prompt: Option<Prompt>,
    pub popup: Option<Popup>,
    pub help: bool,
    /// Requests in flight (a spinner shows while any is).
    pub busy: usize,
    pub ticks: u64,
    /// The last thing that happened, for the status line.
    pub status: String,
    pub quit: bool,
}

impl State {
    /// A console about to sign in to `server`.
    pub fn new(server: &str) -> Self {
        Self {
            screen: Screen::Login,
            pane: Pane::Members,
            login: LoginForm {
                server: server.to_owned(),
                focus: 1,
                ..LoginForm::default()
            },
            operator: None,
            tenants: ListView::default(),
            tenant: None,
            members: ListView::default(),
            sessions: ListView::default(),
            session_user: None,
            invitations: ListView::default(),
            audit: ListView::default(),
            settings: ListView::default(),
            follow: false,
            customers: ListView::default(),
            prompt: None,
            popup: None,
            help: false,
            busy: 0,
            ticks: 0,
            status: String::new(),
            quit: false,
        }
    }

    /// Whether keys type text (a prompt or the sign-in form has focus).
    pub fn typing(&self) -> bool {
        self.popup.is_none()
            && !self.help
            && (self.prompt.is_some() || self.screen == Screen::Login)
    }

    /// The spinner's current frame, or a space when idle.
    pub fn spinner(&self) -> char {
        const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
        if self.busy == 0 {
            ' '
        } else {
            FRAMES[usize::try_from(self.ticks % 4).unwrap_or(0)]
        }
    }
}

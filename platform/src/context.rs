//! Who a request comes from and who acts: the facts every layer passes down (the audit log,
//! domain events, throttling), kept apart from the modules that use them so none has to depend
//! on another for them.

use uuid::Uuid;

/// Who or what a request came from, as far as the audit log and throttling are concerned.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

/// Who acted.
#[derive(Clone, Copy, Debug)]
pub enum Actor {
    /// An end user of the tenant.
    User(Uuid),
    /// A platform operator (support staff).
    Operator(Uuid),
    /// A request by someone not (yet) authenticated.
    Anonymous,
    /// The platform itself.
    System,
}

impl Actor {
    /// The actor's kind (`user`, `operator`, `anonymous`, `system`) and id, as stored.
    pub fn parts(self) -> (&'static str, Option<String>) {
        match self {
            Actor::User(id) => ("user", Some(id.to_string())),
            Actor::Operator(id) => ("operator", Some(id.to_string())),
            Actor::Anonymous => ("anonymous", None),
            Actor::System => ("system", None),
        }
    }
}

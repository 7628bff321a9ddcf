//! `/v1/admin/tenants`, `/v1/admin/customers`, `/v1/admin/audit-events`, `/v1/admin/operators`:
//! what operators see and do across the platform. Reads need any operator; tenant lifecycle and
//! settings need the `admin` operator role.

// poem-openapi takes every query parameter as its own argument.
#![allow(clippy::too_many_arguments)]

use super::text::Text;
use chrono::{DateTime, Utc};
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Path, Query},
    payload::Json,
};

use super::{
    auth::request_meta,
    operator_auth::{OperatorAuth, OperatorView},
    problem::ApiError,
    views::UserView,
};
use crate::{
    app::AppState,
    authz::OperatorCaller,
    authz::{SettingsRead, SettingsWrite},
    context::RequestMeta,
    error::Error,
    operators::{
        self, OpPermission,
        audit::{self as op_audit, parse_reason},
        lifecycle::{self, TenantChange},
        search, support,
    },
    store::entities::operator_audit,
    tenants::Tenant,
};

#[derive(Tags)]
enum AdminTags {
    /// The platform as operators run it.
    Admin,
}

/// A tenant.
#[derive(Object, Debug)]
pub struct TenantView {
    pub id: String,
    pub slug: String,
    pub name: String,
    /// `active`, `suspended` or `provisioning`.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Tenant> for TenantView {
    fn from(t: &Tenant) -> Self {
        Self {
            id: t.id.to_string(),
            slug: t.slug.clone(),
            name: t.name.clone(),
            status: t.status.as_str().into(),
            created_at: t.created_at,
        }
    }
}

/// A page of tenants.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct TenantPage {
    pub items: Vec<TenantView>,
    /// Pass as `cursor` for the next page (tenants are ordered by slug).
    pub next_cursor: Option<String>,
}

/// A new tenant.
#[derive(Object, Debug)]
pub struct TenantCreate {
    /// `[a-z0-9][a-z0-9-]{1,38}[a-z0-9]`, not a reserved word.
    #[oai(validator(max_length = 40))]
    pub slug: Text,
    #[oai(validator(max_length = 800))]
    pub name: Option<Text>,
    /// Emails this address an invitation to become the owner.
    #[oai(validator(max_length = 254))]
    pub owner_email: Option<Text>,
    /// Why, for the audit logs.
    #[oai(validator(max_length = 2000))]
    pub reason: Option<Text>,
}

/// A change of a tenant.
#[derive(Object, Debug)]
pub struct TenantPatch {
    #[oai(validator(max_length = 800))]
    pub name: Option<Text>,
    /// `suspended` (every tenant path answers 403) or `active` (resume).
    #[oai(validator(max_length = 20))]
    pub status: Option<Text>,
    /// A settings change, as for `PATCH /v1/tenants/{tenant}/settings`.
    pub settings: Option<crate::settings::patch::SettingsPatch>,
    #[oai(validator(max_length = 2000))]
    pub reason: Option<Text>,
}

/// A tenant and its settings.
#[derive(Object, Debug)]
pub struct TenantDetail {
    pub tenant: TenantView,
    pub settings: crate::settings::TenantSettings,
}

/// A customer found by email, with their tenant.
#[derive(Object, Debug)]
pub struct CustomerView {
    pub tenant: TenantView,
    pub user: UserView,
}

/// Customers found.
#[derive(Object, Debug)]
pub struct CustomerList {
    /// At most 50, by email.
    pub items: Vec<CustomerView>,
    /// Whether every tenant was searched within the time budget; `false`: the matches found
    /// before it ran out.
    pub complete: bool,
}

/// One entry of the operators' log.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct OperatorEventView {
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    /// Absent for the platform's command line.
    pub operator_id: Option<String>,
    pub action: String,
    pub tenant_id: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub outcome: String,
    pub reason: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub details: Option<serde_json::Value>,
}

impl From<&operator_audit::Model> for OperatorEventView {
    fn from(e: &operator_audit::Model) -> Self {
        Self {
            id: e.id.to_string(),
            occurred_at: e.occurred_at,
            operator_id: e.operator_id.map(|u| u.to_string()),
            action: e.action.clone(),
            tenant_id: e.tenant_id.map(|u| u.to_string()),
            target_type: e.target_type.clone(),
            target_id: e.target_id.clone(),
            outcome: e.outcome.clone(),
            reason: e.reason.clone(),
            ip: e.ip.clone(),
            request_id: e.request_id.clone(),
            details: e
                .details
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok()),
        }
    }
}

/// A page of the operators' log.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct OperatorEventPage {
    pub items: Vec<OperatorEventView>,
    pub next_cursor: Option<String>,
}

/// Every operator.
#[derive(Object, Debug)]
pub struct OperatorList {
    pub items: Vec<OperatorView>,
}

#[derive(ApiResponse)]
enum TenantPageResponse {
    /// Tenants by slug.
    #[oai(status = 200)]
    Ok(Json<TenantPage>),
}

#[derive(ApiResponse)]
enum TenantResponse {
    /// Provisioned (and the owner invited, when asked).
    #[oai(status = 201)]
    Created(Json<TenantView>),
}

#[derive(ApiResponse)]
enum TenantDetailResponse {
    /// The tenant and its settings.
    #[oai(status = 200)]
    Ok(Json<TenantDetail>),
}

#[derive(ApiResponse)]
enum CustomersResponse {
    /// Matches across tenants.
    #[oai(status = 200)]
    Ok(Json<CustomerList>),
}

#[derive(ApiResponse)]
enum OperatorEventsResponse {
    /// Newest first.
    #[oai(status = 200)]
    Ok(Json<OperatorEventPage>),
}

#[derive(ApiResponse)]
enum OperatorsResponse {
    /// By email.
    #[oai(status = 200)]
    Ok(Json<OperatorList>),
}

#[derive(ApiResponse)]
enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

async fn detail(
    state: &AppState,
    caller: &OperatorCaller,
    key: &str,
) -> Result<TenantDetail, Error> {
    let ctx = support::open(&state.tenants, key, caller, RequestMeta::default(), None).await?;
    let granted = crate::authz::grant_operator::<SettingsRead>(caller, &ctx).await?;
    let settings = crate::configure::get(&granted).await?;
    Ok(TenantDetail {
        tenant: (&**ctx.tenant()).into(),
        settings: (*settings).clone(),
    })
}

/// The operator-wide API.
pub struct AdminTenantsApi;

#[OpenApi(tag = "AdminTags::Admin")]
impl AdminTenantsApi {
    /// Lists tenants by slug; `q` matches a part of the slug or name.
    #[oai(
        path = "/v1/admin/tenants",
        method = "get",
        operation_id = "tenant_list"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        #[oai(validator(max_length = 200))] q: Query<Option<String>>,
        #[oai(validator(max_length = 64))] cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> Result<TenantPageResponse, ApiError> {
        auth.0.require(OpPermission::Read)?;
        let limit = limit.0.unwrap_or(100);
        if !(1..=500).contains(&limit) {
            return Err(Error::invalid_param("limit", "limit must be 1 to 500").into());
        }
        let q =
            q.0.map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty());
        let mut all: Vec<Tenant> = state
            .tenants
            .list()
            .await?
            .into_iter()
            .filter(|t| {
                q.as_deref()
                    .is_none_or(|q| t.slug.contains(q) || t.name.to_lowercase().contains(q))
            })
            .filter(|t| cursor.0.as_deref().is_none_or(|c| t.slug.as_str() > c))
            .collect();
        all.sort_by(|a, b| a.slug.cmp(&b.slug));
        let limit = usize::try_from(limit).unwrap_or(100);
        let next_cursor = (all.len() > limit).then(|| all[limit - 1].slug.clone());
        all.truncate(limit);
        Ok(TenantPageResponse::Ok(Json(TenantPage {
            items: all.iter().map(Into::into).collect(),
            next_cursor,
        })))
    }

    /// Provisions a tenant (its own schema or database file) and, with `owner_email`, emails
    /// that address an invitation to own it (`admin` operators).
    #[oai(
        path = "/v1/admin/tenants",
        method = "post",
        operation_id = "tenant_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        req: &Request,
        body: Json<TenantCreate>,
    ) -> Result<TenantResponse, ApiError> {
        auth.0.require(OpPermission::Admin)?;
        let reason = parse_reason(body.reason.as_deref())?;
        let t = lifecycle::create(
            &state.lifecycle,
            &auth.0,
            &request_meta(req),
            &body.slug,
            body.name.as_deref(),
            body.owner_email.as_deref(),
            reason.as_deref(),
        )
        .await?;
        Ok(TenantResponse::Created(Json((&t).into())))
    }

    /// A tenant and its settings.
    #[oai(
        path = "/v1/admin/tenants/:tenant",
        method = "get",
        operation_id = "tenant_get"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        tenant: Path<String>,
    ) -> Result<TenantDetailResponse, ApiError> {
        auth.0.require(OpPermission::Read)?;
        Ok(TenantDetailResponse::Ok(Json(
            detail(&state, &auth.0, &tenant).await?,
        )))
    }

    /// Changes a tenant's settings, then renames, suspends or resumes it (`admin` operators).
    /// Settings are checked first, so a bad value changes nothing.
    #[oai(
        path = "/v1/admin/tenants/:tenant",
        method = "patch",
        operation_id = "tenant_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        req: &Request,
        tenant: Path<String>,
        body: Json<TenantPatch>,
    ) -> Result<TenantDetailResponse, ApiError> {
        auth.0.require(OpPermission::Admin)?;
        let meta = request_meta(req);
        let reason = parse_reason(body.reason.as_deref())?;
        // Everything is checked before anything changes: the name and status here, the
        // settings as a whole by their update, which goes first.
        let change = TenantChange::parse(body.name.as_deref(), body.status.as_deref())?;
        if let Some(patch) = &body.settings {
            let ctx = support::open(
                &state.tenants,
                &tenant,
                &auth.0,
                meta.clone(),
                reason.clone(),
            )
            .await?;
            let granted = crate::authz::grant_operator::<SettingsWrite>(&auth.0, &ctx).await?;
            crate::configure::update::update(&granted, &state.mailer, patch).await?;
        }
        let t = lifecycle::update(
            &state.lifecycle,
            &auth.0,
            &meta,
            &tenant,
            &change,
            reason.as_deref(),
        )
        .await?;
        Ok(TenantDetailResponse::Ok(Json(
            detail(&state, &auth.0, &t.slug).await?,
        )))
    }

    /// Deletes a tenant and all its data (`admin` operators); `confirm` must repeat the slug.
    #[oai(
        path = "/v1/admin/tenants/:tenant",
        method = "delete",
        operation_id = "tenant_delete"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        req: &Request,
        tenant: Path<String>,
        /// The tenant's slug again, as a safety catch.
        #[oai(validator(max_length = 40))]
        confirm: Query<String>,
        #[oai(validator(max_length = 2000))] reason: Query<Option<String>>,
    ) -> Result<NoContent, ApiError> {
        auth.0.require(OpPermission::Admin)?;
        let reason = parse_reason(reason.0.as_deref())?;
        lifecycle::delete(
            &state.lifecycle,
            &auth.0,
            &request_meta(req),
            &tenant,
            &confirm,
            reason.as_deref(),
        )
        .await?;
        Ok(NoContent::Done)
    }

    /// Finds customers by email across every tenant: an exact address, or the start of one (at
    /// least 3 characters). At most 50 matches. A search is bounded: one at a time per operator
    /// (`409 search_in_progress`), a few on the platform (`503`), and 10 seconds, after which
    /// the matches found so far come back with `complete: false`.
    #[oai(
        path = "/v1/admin/customers",
        method = "get",
        operation_id = "customer_search"
    )]
    async fn customers(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        #[oai(validator(max_length = 254))] email: Query<String>,
    ) -> Result<CustomersResponse, ApiError> {
        auth.0.require(OpPermission::Read)?;
        let outcome = search::customers(&state.searches, auth.0.id, &email).await?;
        Ok(CustomersResponse::Ok(Json(CustomerList {
            complete: outcome.complete,
            items: outcome
                .found
                .iter()
                .map(|f| CustomerView {
                    tenant: (&f.tenant).into(),
                    user: UserView::of(&f.user, f.tenant.id),
                })
                .collect(),
        })))
    }

    /// The operators' own log, newest first: `operator` and `tenant` are ids; `action` exact or
    /// a prefix ending in `.`.
    #[oai(
        path = "/v1/admin/audit-events",
        method = "get",
        operation_id = "operator_event_list"
    )]
    async fn events(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
        #[oai(validator(max_length = 64))] operator: Query<Option<String>>,
        #[oai(validator(max_length = 64))] tenant: Query<Option<String>>,
        #[oai(validator(max_length = 100))] action: Query<Option<String>>,
        since: Query<Option<DateTime<Utc>>>,
        until: Query<Option<DateTime<Utc>>>,
        #[oai(validator(max_length = 64))] cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> Result<OperatorEventsResponse, ApiError> {
        auth.0.require(OpPermission::Read)?;
        let id = |raw: Option<&str>, field: &'static str| {
            raw.map(|r| {
                uuid::Uuid::parse_str(r).map_err(|_| Error::invalid_param(field, "not an id"))
            })
            .transpose()
        };
        let tenant_id = match tenant.0.as_deref() {
            Some(t) => Some(state.tenants.get(t).await.map(|t| t.id).or_else(|_| {
                uuid::Uuid::parse_str(t)
                    .map_err(|_| Error::invalid_param("tenant", "unknown tenant"))
            })?),
            None => None,
        };
        let (items, next_cursor) = op_audit::list(
            &state.store,
            &op_audit::Filter {
                operator_id: id(operator.0.as_deref(), "operator")?,
                tenant_id,
                action: action.0,
                since: since.0,
                until: until.0,
                cursor: cursor.0,
                limit: limit.0,
            },
        )
        .await?;
        Ok(OperatorEventsResponse::Ok(Json(OperatorEventPage {
            items: items.iter().map(Into::into).collect(),
            next_cursor,
        })))
    }

    /// Every operator (`admin` operators).
    #[oai(
        path = "/v1/admin/operators",
        method = "get",
        operation_id = "operator_list"
    )]
    async fn operators(
        &self,
        state: Data<&AppState>,
        auth: OperatorAuth,
    ) -> Result<OperatorsResponse, ApiError> {
        auth.0.require(OpPermission::Admin)?;
        let all = operators::list(&state.console).await?;
        Ok(OperatorsResponse::Ok(Json(OperatorList {
            items: all
                .into_iter()
                .map(|o| OperatorView {
                    id: o.id.to_string(),
                    email: o.email,
                    role: o.role,
                    status: o.status,
                })
                .collect(),
        })))
    }
}

//! `/v1/tenants/{tenant}/settings`: the tenant's settings, read (`settings:read`) and changed
//! (`settings:write`). The API's types are the domain's own ([`TenantSettings`] and
//! [`SettingsPatch`]), so the document cannot drift from what is stored.

use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, OpenApi, Tags, param::Path, payload::Json};

use super::{auth::UserAuth, problem::ApiError};
use crate::{
    app::AppState,
    authz::{self, SettingsRead, SettingsWrite},
    configure::update::update,
    settings::{TenantSettings, patch::SettingsPatch},
};

#[derive(Tags)]
enum SettingsTags {
    /// A tenant's settings (tenant admins).
    Settings,
}

#[derive(ApiResponse)]
enum SettingsResponse {
    /// The settings in force.
    #[oai(status = 200)]
    Ok(Json<TenantSettings>),
}

/// The tenant settings API.
pub struct SettingsApi;

#[OpenApi(tag = "SettingsTags::Settings")]
impl SettingsApi {
    /// The tenant's settings (`settings:read`).
    #[oai(
        path = "/v1/tenants/:tenant/settings",
        method = "get",
        operation_id = "settings_get"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        #[oai(name = "tenant")] _tenant: Path<String>,
    ) -> Result<SettingsResponse, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<SettingsRead>(&state.users, &a.ctx).await?;
        let settings = crate::configure::get(&granted).await?;
        Ok(SettingsResponse::Ok(Json((*settings).clone())))
    }

    /// Changes some settings (`settings:write`) and answers with all of them. The change is
    /// checked as a whole (a bad value is `400` naming the setting; nothing is stored) and
    /// applies at once. Removing a custom role that members still hold is `409 role_in_use`.
    #[oai(
        path = "/v1/tenants/:tenant/settings",
        method = "patch",
        operation_id = "settings_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: UserAuth,
        _req: &Request,
        #[oai(name = "tenant")] _tenant: Path<String>,
        body: Json<SettingsPatch>,
    ) -> Result<SettingsResponse, ApiError> {
        let a = &auth.0;
        let granted = authz::grant::<SettingsWrite>(&state.users, &a.ctx).await?;
        let next = update(&granted, &state.mailer, &body.0).await?;
        Ok(SettingsResponse::Ok(Json(next)))
    }
}

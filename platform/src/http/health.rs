//! Liveness and readiness probes.

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, payload::Json};

use super::problem::ApiError;
use crate::{app::AppState, error::Error};

#[derive(Tags)]
enum HealthTags {
    /// Probes for load balancers and orchestrators.
    Health,
}

/// A probe's answer.
#[derive(Object, Debug)]
pub struct HealthStatus {
    /// `ok` when healthy.
    pub status: String,
}

#[derive(ApiResponse)]
enum HealthResponse {
    /// The check passed.
    #[oai(status = 200)]
    Ok(Json<HealthStatus>),
}

/// The health endpoints.
pub struct HealthApi;

#[OpenApi(tag = "HealthTags::Health")]
impl HealthApi {
    /// The process is up and serving HTTP. Does not touch the database.
    #[oai(path = "/health/live", method = "get", operation_id = "health_live")]
    async fn live(&self) -> HealthResponse {
        HealthResponse::Ok(Json(HealthStatus {
            status: "ok".into(),
        }))
    }

    /// The platform can serve requests: the database answers. `503` otherwise.
    #[oai(path = "/health/ready", method = "get", operation_id = "health_ready")]
    async fn ready(&self, state: Data<&AppState>) -> Result<HealthResponse, ApiError> {
        state.store.ping().await.map_err(|e| match e {
            Error::Unavailable(_) => ApiError::from(e),
            other => ApiError::from(Error::Unavailable(anyhow::anyhow!("{other}"))),
        })?;
        Ok(HealthResponse::Ok(Json(HealthStatus {
            status: "ok".into(),
        })))
    }
}

//! Route 53 Resolver (JSON 1.1, `Route53Resolver.<Operation>`, `2018-04-01`): endpoints,
//! rules and their VPC associations (spec §7, §10.3).

use crate::{ApiError, ApiResponse, AwsRequest, Backend, RequestCtx};

/// Serves one Resolver request.
pub async fn handle<B: Backend>(
    _backend: &B,
    _ctx: &RequestCtx,
    request: &AwsRequest<'_>,
) -> ApiResponse {
    let operation = request
        .target
        .strip_prefix("Route53Resolver.")
        .unwrap_or(request.target);
    error_response(&ApiError::new(
        400,
        "UnknownOperationException",
        format!("localvpc does not serve the Route 53 Resolver operation {operation} yet"),
    ))
}

/// The JSON protocol's error body: `{"__type": code, "Message": message}`.
pub fn error_response(e: &ApiError) -> ApiResponse {
    let body = serde_json::json!({ "__type": e.code, "Message": e.message });
    ApiResponse::json(e.status, body.to_string())
}

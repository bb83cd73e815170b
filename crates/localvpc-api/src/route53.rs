//! Amazon Route 53 (REST-XML, `2013-04-01`): hosted zones, their VPC associations and
//! records (spec §6, §10.2).

use crate::{ApiError, ApiResponse, AwsRequest, Backend, RequestCtx};
use localvpc_wire::xml::XmlWriter;

pub const VERSION: &str = "2013-04-01";
pub const NAMESPACE: &str = "https://route53.amazonaws.com/doc/2013-04-01/";

/// Serves one Route 53 request.
pub async fn handle<B: Backend>(
    _backend: &B,
    ctx: &RequestCtx,
    request: &AwsRequest<'_>,
) -> ApiResponse {
    error_response(
        &ApiError::new(
            400,
            "InvalidInput",
            format!(
                "localvpc does not serve {} {} yet",
                request.method, request.path
            ),
        ),
        &ctx.request_id,
    )
}

/// `<ErrorResponse xmlns=…><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
pub fn error_response(e: &ApiError, request_id: &str) -> ApiResponse {
    let mut w = XmlWriter::new();
    w.node("Error", |w| {
        w.leaf("Type", if e.status < 500 { "Sender" } else { "Receiver" })
            .leaf("Code", &e.code)
            .leaf("Message", &e.message);
    })
    .leaf("RequestId", request_id);
    ApiResponse::xml(e.status, document("ErrorResponse", &w.finish()))
}

/// `<?xml …?><root xmlns="…2013-04-01/">inner</root>`.
pub(crate) fn document(root: &str, inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"{NAMESPACE}\">{inner}</{root}>"
    )
}

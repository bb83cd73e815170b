//! The AWS services localvpc serves, each with its wire protocol: the one table the server
//! routes by. A request's service comes from its SigV4 credential scope; the service decides
//! the scope its resources live in, decodes the request, runs the operation and, when the
//! operation fails, renders the error in its protocol's envelope with the error's status.
//!
//! A new service is a variant here (its signing name, protocol and entry point) and a module.

use crate::{ApiError, ApiResponse, AwsRequest, Backend, RequestCtx};
use localvpc_model::route53::ROUTE53_REGION;
use localvpc_model::{AccountId, Command, Scope};
use localvpc_wire::query::QueryParams;
use localvpc_wire::xml::{ec2_error, query_error};

/// One AWS service localvpc serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Ec2,
    ElasticLoadBalancing,
    Route53,
    Route53Resolver,
    Sts,
    /// Amazon CloudWatch Logs.
    Logs,
    /// Amazon S3 (served by [`crate::s3::handle`]: its requests and answers carry bytes).
    S3,
}

/// How a service's requests and errors look on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// EC2's query protocol: form parameters in; errors as
    /// `<Response><Errors><Error>…</Error></Errors><RequestID/></Response>`.
    Ec2Query,
    /// The query protocol of ELBv2 and STS: form parameters in; errors as
    /// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
    AwsQuery,
    /// REST with XML bodies (Route 53): method and path name the operation; errors as
    /// `<ErrorResponse xmlns=…>` with the same members.
    RestXml,
    /// JSON 1.1 (Route 53 Resolver, CloudWatch Logs): `X-Amz-Target` names the operation; errors as
    /// `{"__type": code, "Message": message}`.
    Json11,
    /// S3's REST-XML: method, path and query name the operation; errors as
    /// `<Error><Code/><Message/><RequestId/><HostId/></Error>` with the error's status.
    S3Xml,
}

impl Service {
    pub const ALL: [Self; 7] = [
        Self::Ec2,
        Self::ElasticLoadBalancing,
        Self::Route53,
        Self::Route53Resolver,
        Self::Sts,
        Self::Logs,
        Self::S3,
    ];

    /// The service a SigV4 credential scope names (`ec2`, `elasticloadbalancing`, …).
    pub fn from_signing_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.signing_name() == name)
    }

    /// The name clients sign requests for.
    pub fn signing_name(self) -> &'static str {
        match self {
            Self::Ec2 => "ec2",
            Self::ElasticLoadBalancing => "elasticloadbalancing",
            Self::Route53 => "route53",
            Self::Route53Resolver => "route53resolver",
            Self::Sts => "sts",
            Self::Logs => "logs",
            Self::S3 => "s3",
        }
    }

    pub fn protocol(self) -> Protocol {
        match self {
            Self::Ec2 => Protocol::Ec2Query,
            Self::ElasticLoadBalancing | Self::Sts => Protocol::AwsQuery,
            Self::Route53 => Protocol::RestXml,
            Self::Route53Resolver | Self::Logs => Protocol::Json11,
            Self::S3 => Protocol::S3Xml,
        }
    }

    /// Who is asking and where the request acts: the signed region, except for Route 53,
    /// a global service whose resources all live in `us-east-1` whatever region signed.
    pub fn context(self, account: AccountId, signed_region: &str, request_id: &str) -> RequestCtx {
        let region = match self {
            Self::Route53 => ROUTE53_REGION,
            _ => signed_region,
        };
        RequestCtx {
            scope: Scope::new(account, region),
            signed_region: signed_region.to_owned(),
            request_id: request_id.to_owned(),
        }
    }

    /// Serves one request: the operation's answer, or its error in this service's envelope.
    pub async fn handle<B: Backend>(
        self,
        backend: &B,
        ctx: &RequestCtx,
        request: &AwsRequest<'_>,
    ) -> ApiResponse {
        self.serve(backend, ctx, request)
            .await
            .unwrap_or_else(|e| self.protocol().error_response(&e, &ctx.request_id))
    }

    /// Decodes the operation's name, then hands the request to the service's module.
    async fn serve<B: Backend>(
        self,
        backend: &B,
        ctx: &RequestCtx,
        request: &AwsRequest<'_>,
    ) -> Result<ApiResponse, ApiError> {
        match self {
            Self::Ec2 => {
                let params = query_params(request);
                let action = self.operation(params.get("Action").unwrap_or_default())?;
                crate::ec2::serve(backend, ctx, action, &params).await
            }
            Self::ElasticLoadBalancing => {
                let params = query_params(request);
                let action = self.operation(params.get("Action").unwrap_or_default())?;
                crate::elbv2::serve(backend, ctx, action, &params).await
            }
            Self::Sts => {
                let params = query_params(request);
                let action = self.operation(params.get("Action").unwrap_or_default())?;
                crate::sts::serve(backend, ctx, action, &params)
            }
            Self::Route53 => crate::route53::serve(backend, ctx, request).await,
            Self::Route53Resolver => {
                let operation = self.json_operation(request.target)?;
                crate::route53resolver::serve(backend, ctx, operation, request).await
            }
            Self::Logs => {
                let operation = self.json_operation(request.target)?;
                crate::logs::serve(backend, ctx, operation, request).await
            }
            // The server hands S3 requests, bytes and headers included, to `s3::handle`.
            Self::S3 => Err(ApiError::internal(
                "S3 requests are served by localvpc_api::s3::handle",
            )),
        }
    }

    /// The operations a query or JSON service serves, by name (Route 53's come from the
    /// method and path, matched by its router).
    fn operations(self) -> &'static [&'static str] {
        match self {
            Self::Ec2 => crate::ec2::ACTIONS,
            Self::ElasticLoadBalancing => crate::elbv2::ACTIONS,
            Self::Route53 | Self::S3 => &[],
            Self::Route53Resolver => crate::route53resolver::OPERATIONS,
            Self::Sts => crate::sts::ACTIONS,
            Self::Logs => crate::logs::OPERATIONS,
        }
    }

    /// The operation a JSON 1.1 request's `X-Amz-Target` (`<prefix>.<Operation>`) names, if
    /// this service serves it; `UnknownOperationException` otherwise.
    fn json_operation(self, target: &str) -> Result<&'static str, ApiError> {
        let prefix = match self {
            Self::Route53Resolver => "Route53Resolver.",
            Self::Logs => "Logs_20140328.",
            _ => "",
        };
        let operation = target.strip_prefix(prefix).unwrap_or_default();
        self.operation(operation).map_err(|_| {
            ApiError::new(
                400,
                "UnknownOperationException",
                format!(
                    "localvpc does not serve the {} operation '{target}'",
                    self.title()
                ),
            )
        })
    }

    /// The operation a request names, if this service serves it; `MissingParameter` when
    /// it names none, `InvalidAction` (EC2's text for EC2) when it names another.
    fn operation(self, name: &str) -> Result<&'static str, ApiError> {
        if name.is_empty() {
            return Err(ApiError::missing("Action"));
        }
        if let Some(op) = self.operations().iter().find(|op| **op == name) {
            return Ok(op);
        }
        let message = match self {
            Self::Ec2 => format!("The action {name} is not valid for this web service."),
            _ => format!("localvpc does not serve the {} action {name}", self.title()),
        };
        Err(ApiError::new(400, "InvalidAction", message))
    }

    /// The IAM action a request asks for (`ec2:DescribeVpcs`, `logs:PutLogEvents`) and the
    /// resource it acts on, for the endpoint policies the data plane evaluates; the request
    /// is decoded once. The resource is `sts:AssumeRole`'s role, a CloudWatch Logs request's
    /// log group (or stream), S3's bucket or object (`s3::iam_request`), `*` otherwise
    /// (docs/aws-choices.md: EC2's and ELBv2's resource-level ARNs are not derived). `None`
    /// when the request names no operation this service serves (it is refused anyway) and
    /// for Route 53, whose operations are named by method and path (no endpoint serves it).
    pub fn iam_request(
        self,
        ctx: &RequestCtx,
        request: &AwsRequest<'_>,
    ) -> Option<(String, String)> {
        let any = || "*".to_owned();
        match self {
            Self::Route53 => None,
            Self::S3 => Some(crate::s3::iam_request(
                request.method,
                request.path,
                request.query,
            )),
            Self::Route53Resolver | Self::Logs => {
                let operation = self.json_operation(request.target).ok()?;
                let resource = if self == Self::Logs {
                    let body: serde_json::Value =
                        serde_json::from_slice(request.body).unwrap_or_default();
                    let (scope, text) = (&ctx.scope, |k: &str| {
                        body.get(k).and_then(|v| v.as_str()).map(str::to_owned)
                    });
                    match (text("logGroupName"), text("logStreamName")) {
                        (Some(g), Some(s)) => format!(
                            "arn:aws:logs:{}:{}:log-group:{g}:log-stream:{s}",
                            scope.region, scope.account
                        ),
                        (Some(g), None) => {
                            format!(
                                "arn:aws:logs:{}:{}:log-group:{g}",
                                scope.region, scope.account
                            )
                        }
                        _ => any(),
                    }
                } else {
                    any()
                };
                Some((format!("{}:{operation}", self.signing_name()), resource))
            }
            Self::Ec2 | Self::ElasticLoadBalancing | Self::Sts => {
                let params = query_params(request);
                let operation = self
                    .operation(params.get("Action").unwrap_or_default())
                    .ok()?;
                let resource = match self {
                    Self::Sts => params.get("RoleArn").map_or_else(any, str::to_owned),
                    _ => any(),
                };
                Some((format!("{}:{operation}", self.signing_name()), resource))
            }
        }
    }

    /// The service's refusal of a request a VPC endpoint policy does not allow, as AWS
    /// words it (`UnauthorizedOperation` for EC2, `AccessDenied` for the query services,
    /// `AccessDeniedException` for the JSON ones).
    pub fn endpoint_policy_denied(self, action: &str, principal: &str, explicit: bool) -> ApiError {
        let why = if explicit {
            "with an explicit deny in a VPC endpoint policy".to_owned()
        } else {
            format!("because no VPC endpoint policy allows the {action} action")
        };
        let sentence = format!("User: {principal} is not authorized to perform: {action} {why}");
        match self {
            Self::Ec2 => ApiError::new(
                403,
                "UnauthorizedOperation",
                format!("You are not authorized to perform this operation. {sentence}"),
            ),
            Self::ElasticLoadBalancing | Self::Sts | Self::Route53 | Self::S3 => {
                ApiError::new(403, "AccessDenied", sentence)
            }
            Self::Route53Resolver => ApiError::new(403, "AccessDeniedException", sentence),
            Self::Logs => ApiError::new(400, "AccessDeniedException", sentence),
        }
    }

    /// The service's name in AWS's documentation.
    fn title(self) -> &'static str {
        match self {
            Self::Ec2 => "EC2",
            Self::ElasticLoadBalancing => "ELBv2",
            Self::Route53 => "Route 53",
            Self::Route53Resolver => "Route 53 Resolver",
            Self::Sts => "STS",
            Self::Logs => "CloudWatch Logs",
            Self::S3 => "S3",
        }
    }
}

impl Protocol {
    /// An error in this protocol's envelope, with the error's own status.
    pub fn error_response(self, e: &ApiError, request_id: &str) -> ApiResponse {
        match self {
            Self::Ec2Query => {
                ApiResponse::xml(e.status, ec2_error(&e.code, &e.message, request_id))
            }
            Self::AwsQuery => ApiResponse::xml(
                e.status,
                query_error(e.status < 500, &e.code, &e.message, request_id),
            ),
            Self::RestXml => crate::route53::error_response(e, request_id),
            Self::Json11 => {
                let body = serde_json::json!({ "__type": e.code, "Message": e.message });
                ApiResponse::json(e.status, body.to_string())
            }
            Self::S3Xml => ApiResponse {
                status: e.status,
                content_type: "application/xml",
                body: crate::s3::error_xml(&e.code, &e.message, request_id),
                headers: Vec::new(),
            },
        }
    }
}

/// The parameters of a query-protocol request: GET puts them in the query string, POST in
/// the body; both are accepted.
fn query_params(request: &AwsRequest<'_>) -> QueryParams {
    let mut params = QueryParams::parse(request.query.as_bytes());
    params.extend(QueryParams::parse(request.body));
    params
}

/// Sets the caller's scope up on first use (with a default VPC unless the server was told
/// otherwise), as AWS accounts come with one. Services call it once the operation is known
/// to exist, so a malformed request changes no state.
pub(crate) async fn ensure_scope<B: Backend>(backend: &B, scope: &Scope) -> Result<(), ApiError> {
    if backend.snapshot().has_scope(scope) {
        return Ok(());
    }
    let command = Command::EnsureScope {
        default_vpc: backend.default_vpc(),
    };
    backend.execute(scope.clone(), command).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_name_their_iam_action_and_resource() {
        let ctx = Service::Logs.context(AccountId::default_account(), "ap-northeast-1", "r");
        let query = |body: &'static str| AwsRequest {
            method: "POST",
            path: "/",
            query: "",
            target: "",
            body: body.as_bytes(),
        };
        let ec2 = query("Action=DescribeVpcs&Version=2016-11-15");
        let iam = |service: Service, request: &AwsRequest<'_>| service.iam_request(&ctx, request);
        let pair = |a: &str, r: &str| Some((a.to_owned(), r.to_owned()));
        assert_eq!(iam(Service::Ec2, &ec2), pair("ec2:DescribeVpcs", "*"));
        assert_eq!(iam(Service::Ec2, &query("Action=Bogus")), None);
        let assume = query("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr");
        assert_eq!(
            iam(Service::Sts, &assume),
            pair("sts:AssumeRole", "arn:aws:iam::1:role/r")
        );
        let put = AwsRequest {
            target: "Logs_20140328.PutLogEvents",
            ..query(r#"{"logGroupName":"g","logStreamName":"s"}"#)
        };
        assert_eq!(
            iam(Service::Logs, &put),
            pair(
                "logs:PutLogEvents",
                "arn:aws:logs:ap-northeast-1:000000000000:log-group:g:log-stream:s"
            )
        );
        for (method, path, qs, action, resource) in [
            ("GET", "/", "", "s3:ListAllMyBuckets", "arn:aws:s3:::*"),
            (
                "GET",
                "/b",
                "list-type=2",
                "s3:ListBucket",
                "arn:aws:s3:::b",
            ),
            ("HEAD", "/b/", "", "s3:ListBucket", "arn:aws:s3:::b"),
            ("PUT", "/b", "", "s3:CreateBucket", "arn:aws:s3:::b"),
            (
                "GET",
                "/b",
                "policy",
                "s3:GetBucketPolicy",
                "arn:aws:s3:::b",
            ),
            (
                "POST",
                "/b",
                "delete",
                "s3:DeleteObject",
                "arn:aws:s3:::b/*",
            ),
            (
                "GET",
                "/b/a%20key",
                "",
                "s3:GetObject",
                "arn:aws:s3:::b/a key",
            ),
            (
                "PUT",
                "/b/k",
                "partNumber=1&uploadId=u",
                "s3:PutObject",
                "arn:aws:s3:::b/k",
            ),
            (
                "DELETE",
                "/b/k",
                "uploadId=u",
                "s3:AbortMultipartUpload",
                "arn:aws:s3:::b/k",
            ),
            ("DELETE", "/b/k", "", "s3:DeleteObject", "arn:aws:s3:::b/k"),
        ] {
            let request = AwsRequest {
                method,
                path,
                query: qs,
                ..query("")
            };
            assert_eq!(
                iam(Service::S3, &request),
                pair(action, resource),
                "{method} {path}?{qs}"
            );
        }
        let denied =
            Service::Ec2.endpoint_policy_denied("ec2:DescribeVpcs", "arn:aws:iam::1:root", false);
        assert_eq!(
            (denied.status, &*denied.code),
            (403, "UnauthorizedOperation")
        );
        assert!(
            denied
                .message
                .ends_with("because no VPC endpoint policy allows the ec2:DescribeVpcs action")
        );
    }

    #[test]
    fn every_service_is_found_by_its_signing_name() {
        for s in Service::ALL {
            assert_eq!(Service::from_signing_name(s.signing_name()), Some(s));
        }
        assert_eq!(Service::from_signing_name("dynamodb"), None);
    }

    #[test]
    fn route53_acts_in_its_home_region_and_remembers_the_signed_one() {
        let account = AccountId::parse("111111111111").unwrap();
        let ctx = Service::Route53.context(account.clone(), "ap-northeast-1", "r");
        assert_eq!(ctx.scope.region, ROUTE53_REGION);
        assert_eq!(ctx.signed_region, "ap-northeast-1");
        let ctx = Service::Ec2.context(account, "ap-northeast-1", "r");
        assert_eq!(ctx.scope.region, "ap-northeast-1");
    }

    #[test]
    fn each_protocol_has_its_error_envelope() {
        let e = ApiError::new(400, "InvalidParameterValue", "bad");
        let ec2 = Protocol::Ec2Query.error_response(&e, "r1");
        assert!(
            ec2.body
                .contains("<Response><Errors><Error><Code>InvalidParameterValue")
        );
        let query = Protocol::AwsQuery.error_response(&e, "r1");
        assert!(
            query
                .body
                .contains("<ErrorResponse><Error><Type>Sender</Type>")
        );
        let rest = Protocol::RestXml.error_response(&e, "r1");
        assert!(rest.body.contains("<ErrorResponse xmlns="), "{}", rest.body);
        let json = Protocol::Json11.error_response(&e, "r1");
        assert_eq!(json.content_type, "application/x-amz-json-1.1");
        assert!(json.body.contains(r#""__type":"InvalidParameterValue""#));
        for r in [ec2, query, rest, json] {
            assert_eq!(r.status, 400);
        }
        let fault = ApiError::internal("ours");
        let r = Protocol::AwsQuery.error_response(&fault, "r1");
        assert_eq!(r.status, 500);
        assert!(r.body.contains("<Type>Receiver</Type>"));
    }
}

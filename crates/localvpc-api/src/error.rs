//! Errors as the wire sees them: an AWS code, a message, an HTTP status.

use crate::ExecuteError;
use localvpc_model::ModelError;
use std::borrow::Cow;

/// An AWS-shaped error, ready for any protocol's envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: Cow<'static, str>,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: Cow::Borrowed(code),
            message: message.into(),
        }
    }

    pub fn invalid_value(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidParameterValue", message)
    }

    pub fn missing(param: &str) -> Self {
        Self::new(
            400,
            "MissingParameter",
            format!("The request must contain the parameter {param}"),
        )
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidParameter", message)
    }

    /// A feature localvpc refuses rather than silently ignores (docs/aws-choices.md): the
    /// model's [`ModelError::NotEmulated`], so the API's refusals and the model's share one
    /// code and one sentence.
    pub fn not_emulated(what: impl std::fmt::Display) -> Self {
        ModelError::NotEmulated {
            what: what.to_string(),
        }
        .into()
    }

    pub fn combination(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidParameterCombination", message)
    }

    /// EC2 answers a permitted DryRun with HTTP 412 and this code.
    pub fn dry_run() -> Self {
        Self::new(
            412,
            "DryRunOperation",
            "Request would have succeeded, but DryRun flag is set.",
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message)
    }

    pub fn is_server_fault(&self) -> bool {
        self.status >= 500
    }
}

/// The one place a model refusal becomes a wire error: code, status and message all come
/// from the variant.
impl From<ModelError> for ApiError {
    fn from(e: ModelError) -> Self {
        Self {
            status: e.status(),
            code: Cow::Borrowed(e.code()),
            message: e.to_string(),
        }
    }
}

impl From<ExecuteError> for ApiError {
    fn from(e: ExecuteError) -> Self {
        match e {
            ExecuteError::Model(m) => m.into(),
            ExecuteError::Unavailable(why) => {
                Self::internal(format!("An internal error has occurred: {why}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use localvpc_model::route53::Route53ErrorCode;
    use localvpc_model::{ElbErrorCode, ResolverErrorCode};

    fn wire(e: ModelError) -> (u16, String, String) {
        let a = ApiError::from(e);
        (a.status, a.code.into_owned(), a.message)
    }

    fn msg(m: &str) -> String {
        m.to_owned()
    }

    #[test]
    fn route53_codes_keep_their_rest_status() {
        for (code, status) in [
            (Route53ErrorCode::NoSuchHostedZone, 404),
            (Route53ErrorCode::NoSuchHealthCheck, 404),
            (Route53ErrorCode::HostedZoneAlreadyExists, 409),
            (Route53ErrorCode::NotAuthorizedException, 401),
            (Route53ErrorCode::InvalidInput, 400),
        ] {
            let e = ModelError::Route53 {
                code,
                message: msg("m"),
            };
            assert_eq!(
                wire(e),
                (status, code.as_str().to_owned(), msg("m")),
                "{code:?}"
            );
        }
    }

    #[test]
    fn route53_invalid_vpc_id_moved_from_the_api() {
        let e = localvpc_model::route53::invalid_vpc_id("vpc-1");
        assert_eq!(
            wire(e),
            (
                400,
                msg("InvalidVPCId"),
                msg("The VPC ID 'vpc-1' is not valid.")
            )
        );
    }

    #[test]
    fn not_emulated_is_the_model_sentence() {
        assert_eq!(
            wire(ModelError::NotEmulated { what: msg("X") }),
            (
                400,
                msg("UnsupportedOperation"),
                msg("localvpc does not emulate X (see docs/aws-choices.md)")
            )
        );
        let api = ApiError::not_emulated("X");
        assert_eq!(
            (api.status, api.code.as_ref(), api.message.as_str()),
            (
                400,
                "UnsupportedOperation",
                "localvpc does not emulate X (see docs/aws-choices.md)"
            )
        );
    }

    #[test]
    fn query_and_json_service_codes_are_400() {
        let elb = ModelError::Elb {
            code: ElbErrorCode::ValidationError,
            message: msg("bad"),
        };
        assert_eq!(wire(elb), (400, msg("ValidationError"), msg("bad")));
        let resolver = ModelError::Resolver {
            code: ResolverErrorCode::InvalidParameter,
            message: msg("bad"),
        };
        assert_eq!(
            wire(resolver),
            (400, msg("InvalidParameterException"), msg("bad"))
        );
        let ec2 = ModelError::DefaultVpcDoesNotExist;
        assert_eq!(
            wire(ec2),
            (
                400,
                msg("DefaultVpcDoesNotExist"),
                msg("No default VPC exists for this account in this region.")
            )
        );
    }

    /// The codes the API used to mint itself keep their wire answer now the model owns them.
    #[test]
    fn codes_moved_from_the_api_keep_code_status_and_message() {
        use localvpc_model::{
            UnmodelledTarget, check_resolver_tag_count, load_balancer_name_not_found,
            target_group_name_not_found,
        };
        let ip = || msg("198.51.100.7");
        let cases = [
            (
                ModelError::AddressNotFound { ip: ip() },
                "InvalidAddress.NotFound",
                "Address '198.51.100.7' not found.",
            ),
            (
                ModelError::AddressNotAssociated { ip: ip() },
                "InvalidAssociationID.NotFound",
                "Address '198.51.100.7' is not associated",
            ),
            (
                load_balancer_name_not_found("web"),
                "LoadBalancerNotFound",
                "Load balancers '[web]' not found",
            ),
            (
                target_group_name_not_found("tg"),
                "TargetGroupNotFound",
                "One or more target groups not found",
            ),
            (
                ModelError::VolumeNotFound {
                    id: msg("vol-0abc"),
                },
                "InvalidVolume.NotFound",
                "The volume 'vol-0abc' does not exist.",
            ),
            (
                ModelError::RuleNotFound {
                    id: msg("sgr-0abc"),
                },
                "InvalidSecurityGroupRuleId.NotFound",
                "The security group rule ID 'sgr-0abc' does not exist",
            ),
            (
                ModelError::InvalidInstanceType {
                    names: vec![msg("t9.huge"), msg("x")],
                },
                "InvalidInstanceType",
                "The following supplied instance types do not exist: [t9.huge, x]",
            ),
            (
                ModelError::UnsupportedForInstanceType {
                    instance_type: msg("m5.large"),
                },
                "UnsupportedOperation",
                "The functionality you requested is not available for this instance type (m5.large).",
            ),
            (
                ModelError::GatewayNotFound { id: msg("nope-1") },
                "InvalidGatewayID.NotFound",
                "The gateway ID 'nope-1' does not exist",
            ),
            (
                ModelError::InvalidAmiMalformed { id: msg("img-1") },
                "InvalidAMIID.Malformed",
                "Invalid id: \"img-1\" (expecting \"ami-...\")",
            ),
            (
                ModelError::LoadBalancerArnMalformed {
                    gateway: false,
                    arn: msg("arn:x"),
                },
                "InvalidNetworkLoadBalancerArn.Malformed",
                "The load balancer ARN 'arn:x' is malformed",
            ),
            (
                ModelError::LoadBalancerArnMalformed {
                    gateway: true,
                    arn: msg("arn:x"),
                },
                "InvalidGatewayLoadBalancerArn.Malformed",
                "The load balancer ARN 'arn:x' is malformed",
            ),
            (
                check_resolver_tag_count(201).unwrap_err(),
                "LimitExceededException",
                "A Resolver resource can have at most 200 tags",
            ),
        ];
        for (e, code, message) in cases {
            assert_eq!(wire(e), (400, msg(code), msg(message)));
        }
        assert!(check_resolver_tag_count(200).is_ok());
        let targets = UnmodelledTarget::ALL.map(|target| {
            let (status, code, message) = wire(ModelError::RouteTargetNotFound {
                target,
                id: msg("x-1"),
            });
            assert_eq!(
                (status, message.as_str()),
                (400, "The ID 'x-1' does not exist")
            );
            (target.param(), code)
        });
        assert_eq!(
            targets,
            [
                ("LocalGatewayId", msg("InvalidLocalGatewayID.NotFound")),
                ("CarrierGatewayId", msg("InvalidCarrierGatewayID.NotFound")),
                ("CoreNetworkArn", msg("InvalidParameterValue")),
                ("OdbNetworkArn", msg("InvalidParameterValue")),
            ]
        );
    }

    /// ELBv2 does not name an unknown ARN (AWS's texts); EC2 names the id.
    #[test]
    fn elb_not_found_texts_are_aws_sentences() {
        use localvpc_model::ResourceKind;
        let not_found = |kind, id: &str| wire(ModelError::NotFound { kind, id: msg(id) });
        let arn = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/a/1";
        assert_eq!(
            not_found(ResourceKind::LoadBalancer, arn),
            (
                400,
                msg("LoadBalancerNotFound"),
                msg("One or more load balancers not found")
            )
        );
        assert_eq!(
            not_found(ResourceKind::TargetGroup, arn),
            (
                400,
                msg("TargetGroupNotFound"),
                msg("One or more target groups not found")
            )
        );
        assert_eq!(
            not_found(ResourceKind::Listener, arn),
            (
                400,
                msg("ListenerNotFound"),
                msg("One or more listeners not found")
            )
        );
        let (_, code, message) = not_found(ResourceKind::Vpc, "vpc-1");
        assert_eq!(code, "InvalidVpcID.NotFound");
        assert!(message.contains("'vpc-1'"), "{message}");
    }
}

//! Evaluating a validated policy for one request.

use crate::context::Context;
use crate::pattern::glob;
use crate::policy::{
    ActionClause, Effect, Policy, PrincipalClause, PrincipalEntry, ResourceClause, ResourcePattern,
    Statement,
};

/// One request to authorize: who, doing what, to what, in which context.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub principal: Principal<'a>,
    /// `service:Action`, such as `s3:GetObject` (any case).
    pub action: &'a str,
    /// The resource ARN, such as `arn:aws:s3:::bucket/key`. For requests on no particular
    /// resource (S3 ListAllMyBuckets) pass `arn:aws:s3:::*`, which both `"*"` and
    /// `arn:aws:s3:::*` in a policy match.
    pub resource: &'a str,
    /// The condition keys of the request.
    pub context: &'a Context,
}

/// The caller of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Principal<'a> {
    /// An unsigned request.
    Anonymous,
    /// An IAM principal: `arn` is `arn:aws:iam::<account>:root`, `…:user/…`, `…:role/…`, or
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`; `account` is its account id.
    /// Principal elements are matched against `arn`.
    Aws { arn: &'a str, account: &'a str },
    /// An AWS service principal, such as `vpce.amazonaws.com`.
    Service(&'a str),
}

/// The outcome of evaluating one policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// A statement allows the request and none denies it.
    Allow,
    /// No statement matches the request.
    ImplicitDeny,
    /// A `Deny` statement matches the request.
    ExplicitDeny,
}

/// A [`Decision`] and the statement that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub decision: Decision,
    /// Index of the deciding statement (the Deny, or the first matching Allow).
    pub statement: Option<usize>,
    /// That statement's `Sid`, if it has one.
    pub sid: Option<String>,
}

impl Evaluation {
    /// Whether the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.decision == Decision::Allow
    }
}

impl Policy {
    /// Evaluates the policy for one request: explicit Deny beats Allow, no match = implicit deny.
    ///
    /// When several `Deny` statements match, the first in document order is reported.
    pub fn evaluate(&self, request: &Request<'_>) -> Evaluation {
        let mut allowed: Option<(usize, &Statement)> = None;
        for (index, statement) in self.statements.iter().enumerate() {
            // Once an Allow matched, only a Deny can change the answer.
            if statement.effect == Effect::Allow && allowed.is_some() {
                continue;
            }
            if !statement.applies(request) {
                continue;
            }
            match statement.effect {
                Effect::Deny => return decided(Decision::ExplicitDeny, index, statement),
                Effect::Allow => allowed = Some((index, statement)),
            }
        }
        match allowed {
            Some((index, statement)) => decided(Decision::Allow, index, statement),
            None => Evaluation {
                decision: Decision::ImplicitDeny,
                statement: None,
                sid: None,
            },
        }
    }
}

fn decided(decision: Decision, index: usize, statement: &Statement) -> Evaluation {
    Evaluation {
        decision,
        statement: Some(index),
        sid: statement.sid.clone(),
    }
}

impl Statement {
    /// Whether principal, action, resource and every condition match.
    fn applies(&self, request: &Request<'_>) -> bool {
        self.principal
            .as_ref()
            .is_none_or(|p| p.matches(&request.principal))
            && self.action.matches(request.action)
            && self.resource.matches(request.resource, request.context)
            && self.conditions.iter().all(|c| c.matches(request.context))
    }
}

impl PrincipalClause {
    fn matches(&self, principal: &Principal<'_>) -> bool {
        self.entries.iter().any(|e| e.matches(principal)) != self.negated
    }
}

/// The six fields of an ARN, if `arn` is one.
fn arn_fields(arn: &str) -> Option<[&str; 6]> {
    let mut f = arn.splitn(6, ':');
    let fields = [
        f.next()?,
        f.next()?,
        f.next()?,
        f.next()?,
        f.next()?,
        f.next()?,
    ];
    (fields.first() == Some(&"arn")).then_some(fields)
}

impl PrincipalEntry {
    fn matches(&self, principal: &Principal<'_>) -> bool {
        match (self, principal) {
            (Self::Everyone, _) => true,
            (Self::Account { partition, account }, Principal::Aws { arn, .. }) => {
                // Only the account's root user (docs/aws-semantics.md §2.5).
                arn_fields(arn).is_some_and(|[_, part, service, region, acct, resource]| {
                    service == "iam"
                        && region.is_empty()
                        && acct == account
                        && resource == "root"
                        && partition.as_deref().is_none_or(|p| p == part)
                })
            }
            (
                Self::Role {
                    partition,
                    account,
                    name,
                    arn: role_arn,
                },
                Principal::Aws { arn, .. },
            ) => {
                *arn == role_arn
                    || arn_fields(arn).is_some_and(|[_, part, service, region, acct, resource]| {
                        part == partition
                            && service == "sts"
                            && region.is_empty()
                            && acct == account
                            && resource
                                .strip_prefix("assumed-role/")
                                .and_then(|rest| rest.split_once('/'))
                                .is_some_and(|(role, session)| role == name && !session.is_empty())
                    })
            }
            (Self::Arn(expected), Principal::Aws { arn, .. }) => arn == expected,
            (Self::Service(expected), Principal::Service(service)) => {
                service.eq_ignore_ascii_case(expected)
            }
            _ => false,
        }
    }
}

impl ActionClause {
    fn matches(&self, action: &str) -> bool {
        self.patterns.iter().any(|p| glob(p, action, true)) != self.negated
    }
}

impl ResourceClause {
    fn matches(&self, resource: &str, ctx: &Context) -> bool {
        self.patterns.iter().any(|p| match p {
            ResourcePattern::Any => true,
            ResourcePattern::Arn(arn) => arn.matches(resource, ctx),
        }) != self.negated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: Principal<'static> = Principal::Aws {
        arn: "arn:aws:iam::111122223333:user/alice",
        account: "111122223333",
    };
    const ROOT: Principal<'static> = Principal::Aws {
        arn: "arn:aws:iam::111122223333:root",
        account: "111122223333",
    };
    const OTHER_ROOT: Principal<'static> = Principal::Aws {
        arn: "arn:aws:iam::444455556666:root",
        account: "444455556666",
    };
    const SESSION: Principal<'static> = Principal::Aws {
        arn: "arn:aws:sts::111122223333:assumed-role/Worker/i-0123456789abcdef0",
        account: "111122223333",
    };

    fn policy(text: &str) -> Policy {
        Policy::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn decide(
        p: &Policy,
        principal: Principal<'_>,
        action: &str,
        resource: &str,
        ctx: &Context,
    ) -> Evaluation {
        p.evaluate(&Request {
            principal,
            action,
            resource,
            context: ctx,
        })
    }

    fn decision(p: &Policy, principal: Principal<'_>, action: &str, resource: &str) -> Decision {
        decide(p, principal, action, resource, &Context::new()).decision
    }

    #[test]
    fn default_policies_allow_everything() {
        for text in [
            r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
            "{\n  \"Statement\": [\n    {\n      \"Action\": \"*\", \n      \"Effect\": \"Allow\", \n      \"Principal\": \"*\", \n      \"Resource\": \"*\"\n    }\n  ]\n}",
        ] {
            let p = Policy::parse_endpoint_policy(text).unwrap();
            for principal in [
                Principal::Anonymous,
                ALICE,
                ROOT,
                Principal::Service("ec2.amazonaws.com"),
            ] {
                let e = decide(
                    &p,
                    principal,
                    "ssm:GetParameters",
                    "arn:aws:ssm:us-east-1:111122223333:parameter/x",
                    &Context::new(),
                );
                assert_eq!(
                    e,
                    Evaluation {
                        decision: Decision::Allow,
                        statement: Some(0),
                        sid: None
                    }
                );
                assert!(e.is_allowed());
            }
        }
    }

    #[test]
    fn s3_bucket_restricted_endpoint_policy() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"Access-to-specific-bucket-only","Principal":"*","Action":["s3:GetObject","s3:PutObject"],"Effect":"Allow","Resource":["arn:aws:s3:::amzn-s3-demo-bucket","arn:aws:s3:::amzn-s3-demo-bucket/*"]}]}"#,
        );
        let e = decide(
            &p,
            ALICE,
            "s3:GetObject",
            "arn:aws:s3:::amzn-s3-demo-bucket/reports/2024.csv",
            &Context::new(),
        );
        assert_eq!(e.decision, Decision::Allow);
        assert_eq!(e.sid.as_deref(), Some("Access-to-specific-bucket-only"));
        assert_eq!(
            decision(
                &p,
                ALICE,
                "S3:PUTOBJECT",
                "arn:aws:s3:::amzn-s3-demo-bucket/k"
            ),
            Decision::Allow
        );
        assert_eq!(
            decision(&p, ALICE, "s3:GetObject", "arn:aws:s3:::other-bucket/k"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(
                &p,
                ALICE,
                "s3:DeleteObject",
                "arn:aws:s3:::amzn-s3-demo-bucket/k"
            ),
            Decision::ImplicitDeny
        );
        // Resource matching is case-sensitive.
        assert_eq!(
            decision(
                &p,
                ALICE,
                "s3:GetObject",
                "arn:aws:s3:::AMZN-S3-DEMO-BUCKET/k"
            ),
            Decision::ImplicitDeny
        );
        // Bucket-level actions need the bucket ARN; only the object pattern would not do.
        let objects_only = policy(
            r#"{"Statement":[{"Principal":"*","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#,
        );
        assert_eq!(
            decision(&objects_only, ALICE, "s3:ListBucket", "arn:aws:s3:::b"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(&objects_only, ALICE, "s3:GetObject", "arn:aws:s3:::b/k"),
            Decision::Allow
        );
    }

    #[test]
    fn action_wildcards() {
        let p = policy(
            r#"{"Statement":[{"Effect":"Allow","Action":["s3:Get*","iam:*AccessKey*","ec2:Describe?pcs"],"Resource":"*"}]}"#,
        );
        let ok = |a: &str| decision(&p, ALICE, a, "arn:aws:s3:::b") == Decision::Allow;
        assert!(ok("s3:GetObject"));
        assert!(ok("s3:getobjectversion"));
        assert!(ok("iam:CreateAccessKey"));
        assert!(ok("iam:ListAccessKeys"));
        assert!(ok("ec2:DescribeVpcs"));
        assert!(!ok("s3:PutObject"));
        assert!(!ok("s3x:GetObject"));
        assert!(!ok("ec2:DescribeVpcsX"));
    }

    #[test]
    fn list_all_my_buckets_resource() {
        let star = policy(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#,
        );
        let arn_star = policy(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::*"}]}"#,
        );
        let bucket = policy(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::b"}]}"#,
        );
        assert_eq!(
            decision(&star, ALICE, "s3:ListAllMyBuckets", "arn:aws:s3:::*"),
            Decision::Allow
        );
        assert_eq!(
            decision(&arn_star, ALICE, "s3:ListAllMyBuckets", "arn:aws:s3:::*"),
            Decision::Allow
        );
        assert_eq!(
            decision(&bucket, ALICE, "s3:ListAllMyBuckets", "arn:aws:s3:::*"),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn explicit_deny_beats_allow() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[
                {"Sid":"AllowAll","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
                {"Sid":"NoDeletes","Effect":"Deny","Principal":"*","Action":"s3:Delete*","Resource":"*"},
                {"Sid":"NoDeletes2","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"*"}
            ]}"#,
        );
        let e = decide(
            &p,
            ALICE,
            "s3:DeleteObject",
            "arn:aws:s3:::b/k",
            &Context::new(),
        );
        assert_eq!(
            e,
            Evaluation {
                decision: Decision::ExplicitDeny,
                statement: Some(1),
                sid: Some("NoDeletes".into())
            }
        );
        assert!(!e.is_allowed());
        let e = decide(
            &p,
            ALICE,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &Context::new(),
        );
        assert_eq!(
            e,
            Evaluation {
                decision: Decision::Allow,
                statement: Some(0),
                sid: Some("AllowAll".into())
            }
        );
        // A Deny that comes before the Allow in the document still wins; the first Allow is reported.
        let q = policy(
            r#"{"Statement":[
                {"Effect":"Deny","Action":"s3:PutObject","Resource":"*"},
                {"Effect":"Allow","Action":"s3:Get*","Resource":"*"},
                {"Effect":"Allow","Action":"s3:*","Resource":"*"}
            ]}"#,
        );
        assert_eq!(
            decide(
                &q,
                ALICE,
                "s3:PutObject",
                "arn:aws:s3:::b/k",
                &Context::new()
            )
            .statement,
            Some(0)
        );
        assert_eq!(
            decide(
                &q,
                ALICE,
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                &Context::new()
            )
            .statement,
            Some(1)
        );
        assert_eq!(
            decide(
                &q,
                ALICE,
                "s3:ListBucket",
                "arn:aws:s3:::b",
                &Context::new()
            )
            .statement,
            Some(2)
        );
        // No match at all.
        let e = decide(&q, ALICE, "ec2:RunInstances", "*", &Context::new());
        assert_eq!(
            e,
            Evaluation {
                decision: Decision::ImplicitDeny,
                statement: None,
                sid: None
            }
        );
    }

    #[test]
    fn deny_with_conditions_pins_an_endpoint() {
        // The S3 bucket-policy pattern: deny unless the request came through one endpoint.
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]},
                {"Sid":"Access-to-specific-VPCE-only","Effect":"Deny","Principal":"*","Action":"s3:*",
                 "Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],
                 "Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}
            ]}"#,
        );
        let mut through = Context::new();
        through.insert("aws:SourceVpce", "vpce-1a2b3c4d");
        let mut other = Context::new();
        other.insert("aws:SourceVpce", "vpce-99999999");
        assert_eq!(
            decide(&p, ALICE, "s3:GetObject", "arn:aws:s3:::b/k", &through).decision,
            Decision::Allow
        );
        assert_eq!(
            decide(&p, ALICE, "s3:GetObject", "arn:aws:s3:::b/k", &other).decision,
            Decision::ExplicitDeny
        );
        // No endpoint at all (console, internet): the key is absent, StringNotEquals is true.
        assert_eq!(
            decide(
                &p,
                ALICE,
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                &Context::new()
            )
            .decision,
            Decision::ExplicitDeny
        );
    }

    #[test]
    fn account_principal_matches_only_the_root_user() {
        for principal in [
            r#"{"AWS":"111122223333"}"#,
            r#"{"AWS":"arn:aws:iam::111122223333:root"}"#,
        ] {
            let p = policy(&format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"*","Resource":"*"}}]}}"#
            ));
            assert_eq!(
                decision(&p, ROOT, "s3:GetObject", "*"),
                Decision::Allow,
                "{principal}"
            );
            assert_eq!(
                decision(&p, ALICE, "s3:GetObject", "*"),
                Decision::ImplicitDeny,
                "{principal}"
            );
            assert_eq!(
                decision(&p, SESSION, "s3:GetObject", "*"),
                Decision::ImplicitDeny,
                "{principal}"
            );
            assert_eq!(
                decision(&p, OTHER_ROOT, "s3:GetObject", "*"),
                Decision::ImplicitDeny,
                "{principal}"
            );
            assert_eq!(
                decision(&p, Principal::Anonymous, "s3:GetObject", "*"),
                Decision::ImplicitDeny
            );
        }
        // The root ARN form pins the partition too.
        let cn = policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::111122223333:root"},"Action":"*","Resource":"*"}]}"#,
        );
        assert_eq!(
            decision(&cn, ROOT, "s3:GetObject", "*"),
            Decision::ImplicitDeny
        );
        // The documented way to admit a whole account.
        let whole = policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}}]}"#,
        );
        let mut ctx = Context::new();
        ctx.insert("aws:PrincipalAccount", "111122223333");
        assert_eq!(
            decide(&whole, ALICE, "s3:GetObject", "*", &ctx).decision,
            Decision::Allow
        );
    }

    #[test]
    fn user_role_and_service_principals() {
        let p = policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:role/path/Worker"],"Service":"vpce.amazonaws.com"},"Action":"*","Resource":"*"}]}"#,
        );
        assert_eq!(decision(&p, ALICE, "s3:GetObject", "*"), Decision::Allow);
        assert_eq!(decision(&p, SESSION, "s3:GetObject", "*"), Decision::Allow);
        let role = Principal::Aws {
            arn: "arn:aws:iam::111122223333:role/path/Worker",
            account: "111122223333",
        };
        assert_eq!(decision(&p, role, "s3:GetObject", "*"), Decision::Allow);
        let other_role = Principal::Aws {
            arn: "arn:aws:sts::111122223333:assumed-role/Other/s",
            account: "111122223333",
        };
        assert_eq!(
            decision(&p, other_role, "s3:GetObject", "*"),
            Decision::ImplicitDeny
        );
        let bob = Principal::Aws {
            arn: "arn:aws:iam::111122223333:user/bob",
            account: "111122223333",
        };
        assert_eq!(
            decision(&p, bob, "s3:GetObject", "*"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(&p, ROOT, "s3:GetObject", "*"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(
                &p,
                Principal::Service("vpce.amazonaws.com"),
                "s3:GetObject",
                "*"
            ),
            Decision::Allow
        );
        assert_eq!(
            decision(
                &p,
                Principal::Service("ec2.amazonaws.com"),
                "s3:GetObject",
                "*"
            ),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(&p, Principal::Anonymous, "s3:GetObject", "*"),
            Decision::ImplicitDeny
        );
        // {"AWS":"*"} is everyone, anonymous included.
        let any = policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*","Resource":"*"}]}"#,
        );
        assert_eq!(
            decision(&any, Principal::Anonymous, "s3:GetObject", "*"),
            Decision::Allow
        );
        // Federated and canonical-user principals never match a modelled caller.
        let fed = policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"*","Resource":"*"}]}"#,
        );
        assert_eq!(
            decision(&fed, ALICE, "s3:GetObject", "*"),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn statement_without_principal_applies_to_everyone() {
        let p = policy(r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#);
        assert_eq!(
            decision(&p, Principal::Anonymous, "s3:GetObject", "*"),
            Decision::Allow
        );
        assert_eq!(decision(&p, ALICE, "s3:GetObject", "*"), Decision::Allow);
    }

    #[test]
    fn not_action_not_resource_not_principal() {
        let p = policy(
            r#"{"Statement":[
                {"Effect":"Allow","Principal":"*","NotAction":["iam:*","s3:Delete*"],"Resource":"*"},
                {"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":["arn:aws:s3:::public","arn:aws:s3:::public/*"]},
                {"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/alice","111122223333"]},"Action":"ec2:*","Resource":"*"}
            ]}"#,
        );
        assert_eq!(
            decision(
                &p,
                ALICE,
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:111122223333:q"
            ),
            Decision::Allow
        );
        assert_eq!(
            decision(&p, ALICE, "iam:CreateUser", "*"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(&p, ALICE, "s3:DeleteObject", "arn:aws:s3:::public/k"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(&p, ALICE, "s3:GetObject", "arn:aws:s3:::public/k"),
            Decision::Allow
        );
        assert_eq!(
            decision(&p, ALICE, "s3:GetObject", "arn:aws:s3:::private/k"),
            Decision::ExplicitDeny
        );
        assert_eq!(
            decision(&p, ALICE, "ec2:RunInstances", "*"),
            Decision::Allow
        );
        assert_eq!(decision(&p, ROOT, "ec2:RunInstances", "*"), Decision::Allow);
        let bob = Principal::Aws {
            arn: "arn:aws:iam::111122223333:user/bob",
            account: "111122223333",
        };
        assert_eq!(
            decision(&p, bob, "ec2:RunInstances", "*"),
            Decision::ExplicitDeny
        );
        assert_eq!(
            decision(&p, Principal::Anonymous, "ec2:RunInstances", "*"),
            Decision::ExplicitDeny
        );
    }

    #[test]
    fn variables_in_resources() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#,
        );
        let mut alice = Context::new();
        alice.insert("aws:username", "alice");
        assert_eq!(
            decide(
                &p,
                ALICE,
                "s3:GetObject",
                "arn:aws:s3:::home/alice/notes.txt",
                &alice
            )
            .decision,
            Decision::Allow
        );
        assert_eq!(
            decide(
                &p,
                ALICE,
                "s3:GetObject",
                "arn:aws:s3:::home/bob/notes.txt",
                &alice
            )
            .decision,
            Decision::ImplicitDeny
        );
        // Unresolved: the resource matches nothing.
        assert_eq!(
            decide(
                &p,
                ALICE,
                "s3:GetObject",
                "arn:aws:s3:::home/alice/notes.txt",
                &Context::new()
            )
            .decision,
            Decision::ImplicitDeny
        );
        // ... and so a NotResource entry with it excludes nothing.
        let not = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::home/${aws:username}/*"}]}"#,
        );
        assert_eq!(
            decide(
                &not,
                ALICE,
                "s3:GetObject",
                "arn:aws:s3:::home/alice/x",
                &alice
            )
            .decision,
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide(
                &not,
                ALICE,
                "s3:GetObject",
                "arn:aws:s3:::home/alice/x",
                &Context::new()
            )
            .decision,
            Decision::ExplicitDeny
        );
        // Defaults and escapes.
        let d = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::team-${aws:PrincipalTag/team, 'shared'}/${*}"}]}"#,
        );
        assert_eq!(
            decide(
                &d,
                ALICE,
                "s3:GetObject",
                "arn:aws:s3:::team-shared/*",
                &Context::new()
            )
            .decision,
            Decision::Allow
        );
        assert_eq!(
            decide(
                &d,
                ALICE,
                "s3:GetObject",
                "arn:aws:s3:::team-shared/x",
                &Context::new()
            )
            .decision,
            Decision::ImplicitDeny
        );
        // Version 2008-10-17 (or none): variables are literal text.
        let old = policy(
            r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#,
        );
        assert_eq!(
            decide(
                &old,
                ALICE,
                "s3:GetObject",
                "arn:aws:s3:::home/alice/x",
                &alice
            )
            .decision,
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide(
                &old,
                ALICE,
                "s3:GetObject",
                "arn:aws:s3:::home/${aws:username}/x",
                &alice
            )
            .decision,
            Decision::Allow
        );
    }

    #[test]
    fn conditions_gate_statements() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b",
                "Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*"]},"Bool":{"aws:SecureTransport":"true"}}}]}"#,
        );
        let mut ctx = Context::new();
        ctx.insert("aws:username", "alice");
        ctx.insert("s3:prefix", "home/alice/docs");
        ctx.insert("aws:SecureTransport", "true");
        assert_eq!(
            decide(&p, ALICE, "s3:ListBucket", "arn:aws:s3:::b", &ctx).decision,
            Decision::Allow
        );
        ctx.insert("aws:SecureTransport", "false");
        assert_eq!(
            decide(&p, ALICE, "s3:ListBucket", "arn:aws:s3:::b", &ctx).decision,
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn combining_rules_exhaustively() {
        // Abstract statements (cedar-spec style): each either matches or not, Allow or Deny.
        let stmt = |effect: &str, matches: bool| {
            let action = if matches {
                "s3:GetObject"
            } else {
                "s3:PutObject"
            };
            format!(r#"{{"Effect":"{effect}","Action":"{action}","Resource":"*"}}"#)
        };
        let kinds = [
            ("Allow", true),
            ("Allow", false),
            ("Deny", true),
            ("Deny", false),
        ];
        for a in kinds {
            for b in kinds {
                for c in kinds {
                    let all = [a, b, c];
                    let text = format!(
                        r#"{{"Statement":[{}]}}"#,
                        all.iter()
                            .map(|(e, m)| stmt(e, *m))
                            .collect::<Vec<_>>()
                            .join(",")
                    );
                    let got = decide(&policy(&text), ALICE, "s3:GetObject", "*", &Context::new());
                    let first_deny = all.iter().position(|k| *k == ("Deny", true));
                    let first_allow = all.iter().position(|k| *k == ("Allow", true));
                    let want = match (first_deny, first_allow) {
                        (Some(i), _) => (Decision::ExplicitDeny, Some(i)),
                        (None, Some(i)) => (Decision::Allow, Some(i)),
                        (None, None) => (Decision::ImplicitDeny, None),
                    };
                    assert_eq!((got.decision, got.statement), want, "{text}");
                }
            }
        }
    }
}

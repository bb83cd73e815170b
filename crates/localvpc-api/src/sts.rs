//! AWS Security Token Service (query protocol, `2011-06-15`): the calls the CLI, SDKs and
//! Terraform make at start-up. Identities are the account the access key maps to
//! (`--account KEY=ACCOUNT`); temporary keys from `AssumeRole` carry the role's account in
//! their digits, so they work without the server remembering them (docs/aws-choices.md).

use crate::{ApiError, ApiResponse, Backend, RequestCtx};
use localvpc_model::AccountId;
use localvpc_wire::query::QueryParams;
use localvpc_wire::time::iso8601_millis;
use localvpc_wire::xml::{XmlWriter, query_response};

pub const VERSION: &str = "2011-06-15";
const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Temporary access key ids start with this (as AWS's do); the next 12 characters are the
/// account the credentials act in.
pub const TEMPORARY_KEY_PREFIX: &str = "ASIA";

/// The account a temporary access key issued by [`assume_role`] acts in, if `key` is one.
pub fn account_of_temporary_key(key: &str) -> Option<AccountId> {
    let digits = key.strip_prefix(TEMPORARY_KEY_PREFIX)?.get(..12)?;
    AccountId::parse(digits)
}

pub(crate) const ACTIONS: &[&str] = &["AssumeRole", "GetCallerIdentity", "GetSessionToken"];

/// Serves one STS request (the caller's account is in `ctx.scope`).
pub(crate) fn serve<B: Backend>(
    backend: &B,
    ctx: &RequestCtx,
    action: &str,
    params: &QueryParams,
) -> Result<ApiResponse, ApiError> {
    let now = backend.now().0;
    let body = match action {
        "AssumeRole" => assume_role(ctx, params, now)?,
        "GetSessionToken" => get_session_token(ctx, params, now),
        _ => get_caller_identity(ctx),
    };
    Ok(ApiResponse::xml(200, body))
}

fn get_caller_identity(ctx: &RequestCtx) -> String {
    let account = ctx.scope.account.as_str();
    query_response(NAMESPACE, "GetCallerIdentity", &ctx.request_id, |w| {
        w.leaf("Arn", &format!("arn:aws:iam::{account}:root"))
            .leaf("UserId", account)
            .leaf("Account", account);
    })
}

fn validation(message: impl Into<String>) -> ApiError {
    ApiError::new(400, "ValidationError", message)
}

/// `DurationSeconds`: 900 s to 12 h, one hour when absent.
fn duration(params: &QueryParams, max: u64) -> Result<u64, ApiError> {
    let Some(raw) = params.get("DurationSeconds") else {
        return Ok(3600);
    };
    match raw.parse::<u64>() {
        Ok(d) if (900..=max).contains(&d) => Ok(d),
        _ => Err(validation(format!(
            "1 validation error detected: Value '{raw}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and {max}"
        ))),
    }
}

fn random_alnum(len: usize) -> String {
    const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    (0..len)
        .map(|_| {
            char::from(
                UPPER
                    .get(fastrand::usize(..UPPER.len()))
                    .copied()
                    .unwrap_or(b'A'),
            )
        })
        .collect()
}

/// Temporary credentials of an account, as STS and the instance metadata service hand
/// them out: the access key names the account (`ASIA` + its 12 digits + 4 characters), so
/// requests signed with it act in that account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemporaryCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// ISO 8601, milliseconds.
    pub expiration: String,
}

impl TemporaryCredentials {
    /// New credentials of `account`, valid `seconds` from `now` (epoch milliseconds).
    pub fn mint(account: &AccountId, seconds: u64, now: u64) -> Self {
        let token: String = (0..64).map(|_| fastrand::alphanumeric()).collect();
        Self {
            access_key_id: format!(
                "{TEMPORARY_KEY_PREFIX}{}{}",
                account.as_str(),
                random_alnum(4)
            ),
            secret_access_key: (0..40).map(|_| fastrand::alphanumeric()).collect(),
            session_token: format!("localvpc/{token}"),
            expiration: iso8601_millis(now.saturating_add(seconds.saturating_mul(1000))),
        }
    }
}

fn write_credentials(w: &mut XmlWriter, account: &AccountId, seconds: u64, now: u64) {
    let c = TemporaryCredentials::mint(account, seconds, now);
    w.node("Credentials", |w| {
        w.leaf("AccessKeyId", &c.access_key_id)
            .leaf("SecretAccessKey", &c.secret_access_key)
            .leaf("SessionToken", &c.session_token)
            .leaf("Expiration", &c.expiration);
    });
}

/// `arn:aws:iam::<account>:role/<path/>name` → (account, name).
fn parse_role_arn(arn: &str) -> Option<(AccountId, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let name = resource.strip_prefix("role/")?.rsplit('/').next()?;
    if name.is_empty() {
        return None;
    }
    Some((AccountId::parse(account)?, name))
}

fn assume_role(ctx: &RequestCtx, params: &QueryParams, now: u64) -> Result<String, ApiError> {
    let role_arn = params
        .get("RoleArn")
        .ok_or_else(|| ApiError::missing("RoleArn"))?;
    let session = params
        .get("RoleSessionName")
        .ok_or_else(|| ApiError::missing("RoleSessionName"))?;
    let session_ok = (2..=64).contains(&session.len())
        && session
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"=,.@-_".contains(&b));
    if !session_ok {
        return Err(validation(format!(
            "1 validation error detected: Value '{session}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
        )));
    }
    let seconds = duration(params, 43_200)?;
    let (account, role) =
        parse_role_arn(role_arn).ok_or_else(|| validation(format!("{role_arn} is invalid")))?;
    let role_id = format!("AROA{}", random_alnum(17));
    Ok(query_response(
        NAMESPACE,
        "AssumeRole",
        &ctx.request_id,
        |w| {
            write_credentials(w, &account, seconds, now);
            w.node("AssumedRoleUser", |w| {
                w.leaf("AssumedRoleId", &format!("{role_id}:{session}"))
                    .leaf(
                        "Arn",
                        &format!(
                            "arn:aws:sts::{}:assumed-role/{role}/{session}",
                            account.as_str()
                        ),
                    );
            });
        },
    ))
}

fn get_session_token(ctx: &RequestCtx, params: &QueryParams, now: u64) -> String {
    let seconds = duration(params, 129_600).unwrap_or(43_200);
    query_response(NAMESPACE, "GetSessionToken", &ctx.request_id, |w| {
        write_credentials(w, &ctx.scope.account, seconds, now);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_keys_name_their_account() {
        let account = AccountId::parse("222222222222").unwrap();
        let mut w = XmlWriter::new();
        write_credentials(&mut w, &account, 900, 0);
        let xml = w.finish();
        let key = xml
            .split("<AccessKeyId>")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap();
        assert_eq!(key.len(), 20);
        assert_eq!(account_of_temporary_key(key), Some(account));
        assert_eq!(account_of_temporary_key("AKIAEXAMPLE"), None);
    }

    #[test]
    fn role_arns_parse() {
        let (account, name) = parse_role_arn("arn:aws:iam::111111111111:role/ops/Admin").unwrap();
        assert_eq!(account.as_str(), "111111111111");
        assert_eq!(name, "Admin");
        assert!(parse_role_arn("arn:aws:iam::111111111111:user/bob").is_none());
        assert!(parse_role_arn("arn:aws:iam::12:role/x").is_none());
    }
}

//! Accounts and regions: every resource lives in exactly one (account, region) scope.

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;
use std::fmt;

/// A 12-digit AWS account id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(SmolStr);

impl AccountId {
    /// The account that unknown access keys map to, as moto and LocalStack do.
    pub const DEFAULT: &'static str = "000000000000";

    /// Accepts exactly twelve ASCII digits.
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())).then(|| Self(SmolStr::new(s)))
    }

    pub fn default_account() -> Self {
        Self(SmolStr::new_static(Self::DEFAULT))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One account in one region: the unit of isolation of every regional resource.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Scope {
    pub account: AccountId,
    pub region: String,
}

impl Scope {
    pub fn new(account: AccountId, region: impl Into<String>) -> Self {
        Self {
            account,
            region: region.into(),
        }
    }

    /// `arn:aws:ec2:<region>:<account>:<kind>/<id>`.
    pub fn ec2_arn(&self, kind: &str, id: &str) -> String {
        format!("arn:aws:ec2:{}:{}:{kind}/{id}", self.region, self.account)
    }
}

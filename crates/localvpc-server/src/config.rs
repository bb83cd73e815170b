//! Resolved server configuration (the CLI parses flags into this).

use localvpc_dns::{DnsConfig, ListenSpec};
use localvpc_model::{AccountId, Catalog};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where state is kept.
#[derive(Clone, Debug)]
pub enum StoreConfig {
    /// The embedded database file in this directory.
    DataDir(PathBuf),
    /// In memory only; nothing is written.
    Ephemeral,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub store: StoreConfig,
    /// Access key id → account. Unknown keys map to `000000000000`.
    pub accounts: BTreeMap<String, AccountId>,
    /// Whether each account and region gets a default VPC on first use.
    pub default_vpc: bool,
    /// The region of unsigned requests, which carry no credential scope.
    pub default_region: String,
    pub catalog: Catalog,
    /// The DNS server (`ListenSpec::Off` to run without one). Its `map_ip` also gives the
    /// data plane the real socket behind an emulated address.
    pub dns: DnsConfig,
    /// Whether the data plane carries connections that leave every VPC (through internet
    /// or NAT gateways) to their real destinations (`--internet on|off`).
    pub internet: bool,
    /// AWS service (endpoint name, `ssm`) → the `http://HOST:PORT` the data plane relays its
    /// requests to (`--upstream`), for services localvpc does not serve.
    pub upstreams: BTreeMap<String, http::Uri>,
    /// Hold blocked data-plane connections until the client gives up (`--refusals hang`).
    pub hang_when_blocked: bool,
}

impl Config {
    pub fn account_for(&self, access_key_id: &str) -> AccountId {
        self.accounts
            .get(access_key_id)
            .cloned()
            .or_else(|| localvpc_api::sts::account_of_temporary_key(access_key_id))
            .unwrap_or_else(AccountId::default_account)
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            store: StoreConfig::Ephemeral,
            accounts: BTreeMap::new(),
            default_vpc: true,
            default_region: "us-east-1".to_owned(),
            catalog: Catalog::default(),
            dns: DnsConfig {
                listen: ListenSpec::Off,
                ..DnsConfig::default()
            },
            internet: true,
            upstreams: BTreeMap::new(),
            hang_when_blocked: false,
        }
    }
}

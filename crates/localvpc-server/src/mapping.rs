//! The data plane's address mappings: which real socket stands behind an emulated one
//! (`10.0.1.10:443` → `127.0.0.1:8443`). Three kinds of entry share one table:
//!
//! - `--map-ip` at start (`serve`), fixed for the life of the server;
//! - the mapping API (`POST/GET/DELETE /_localvpc/map-ip`, `localvpc map`), for IP targets and
//!   on-premises or internet stand-ins, added and removed at run time;
//! - a session's `publish` (`localvpc exec --instance i-… --publish 8080`): the instance's
//!   private addresses on a port reach the program's own listener on the host, and the
//!   entries live and die with the session.
//!
//! The gate looks an emulated socket up on every connection: the table is an immutable map
//! behind an `ArcSwap`, read without a lock; writers (rare) copy it under a mutex and swap.
//! DNS forwarding (resolver rules' targets) still reads the static `--map-ip` entries only.

use crate::state::State;
use arc_swap::ArcSwap;
use localvpc_model::Instance;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

/// Who made a mapping, and so who may remove it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// `serve --map-ip`: fixed.
    Static,
    /// The mapping API: removed by the API.
    Api,
    /// A session's `publish`: removed when the session closes.
    Session { id: String, instance: String },
}

impl Origin {
    fn describe(&self) -> String {
        match self {
            Self::Static => "`localvpc serve --map-ip`".to_owned(),
            Self::Api => "the mapping API (`localvpc map add`)".to_owned(),
            Self::Session { id, instance } => {
                format!("session {id} (`localvpc exec --instance {instance} --publish`)")
            }
        }
    }

    fn json(&self) -> Value {
        match self {
            Self::Static => json!({ "origin": "static" }),
            Self::Api => json!({ "origin": "api" }),
            Self::Session { id, instance } => {
                json!({ "origin": "session", "session": id, "instance": instance })
            }
        }
    }
}

#[derive(Clone, Debug)]
struct Mapping {
    real: SocketAddr,
    origin: Origin,
}

/// Why a mapping could not be added or removed (the HTTP status and a sentence).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct MapError {
    pub(crate) status: u16,
    pub(crate) message: String,
}

/// The emulated socket → real socket table.
#[derive(Debug)]
pub struct AddressMap {
    table: ArcSwap<HashMap<SocketAddr, Mapping>>,
    // INVARIANT: every writer holds this while it copies, changes and stores the table, so
    // two writers never lose each other's change (readers never take it).
    write: Mutex<()>,
}

impl AddressMap {
    /// The table with the `--map-ip` entries of the configuration.
    pub(crate) fn new(fixed: &BTreeMap<SocketAddr, SocketAddr>) -> Self {
        let table = fixed
            .iter()
            .map(|(&emulated, &real)| {
                let origin = Origin::Static;
                (emulated, Mapping { real, origin })
            })
            .collect();
        Self {
            table: ArcSwap::from_pointee(table),
            write: Mutex::new(()),
        }
    }

    /// The real socket behind an emulated one (lock-free; the data plane's per-connection
    /// lookup).
    pub(crate) fn get(&self, emulated: &SocketAddr) -> Option<SocketAddr> {
        self.table.load().get(emulated).map(|m| m.real)
    }

    /// Adds all the entries or none: a socket already mapped refuses the lot (409).
    pub(crate) fn add_all(
        &self,
        entries: &[(SocketAddr, SocketAddr)],
        origin: &Origin,
    ) -> Result<(), MapError> {
        let _writing = self.write.lock().unwrap_or_else(PoisonError::into_inner);
        let current = self.table.load_full();
        if let Some((emulated, taken)) = entries
            .iter()
            .find_map(|(e, _)| current.get(e).map(|m| (e, m)))
        {
            return Err(MapError {
                status: 409,
                message: format!(
                    "{emulated} is already mapped to {} by {}",
                    taken.real,
                    taken.origin.describe()
                ),
            });
        }
        let mut next = (*current).clone();
        for &(emulated, real) in entries {
            let origin = origin.clone();
            next.insert(emulated, Mapping { real, origin });
        }
        self.table.store(Arc::new(next));
        Ok(())
    }

    /// Removes one entry the mapping API added (404 when none, 409 for `--map-ip` and
    /// sessions' entries, which their owner removes).
    pub(crate) fn remove(&self, emulated: &SocketAddr) -> Result<SocketAddr, MapError> {
        let _writing = self.write.lock().unwrap_or_else(PoisonError::into_inner);
        let current = self.table.load_full();
        let Some(mapping) = current.get(emulated) else {
            return Err(MapError {
                status: 404,
                message: format!("{emulated} is not mapped"),
            });
        };
        if mapping.origin != Origin::Api {
            return Err(MapError {
                status: 409,
                message: format!(
                    "{emulated} was mapped by {}, which removes it (a session's when it closes; \
                     --map-ip's never)",
                    mapping.origin.describe()
                ),
            });
        }
        let real = mapping.real;
        let mut next = (*current).clone();
        next.remove(emulated);
        self.table.store(Arc::new(next));
        Ok(real)
    }

    /// Removes every entry a session published; how many there were.
    pub(crate) fn remove_session(&self, session: &str) -> usize {
        let _writing = self.write.lock().unwrap_or_else(PoisonError::into_inner);
        let current = self.table.load_full();
        let mine = |m: &Mapping| matches!(&m.origin, Origin::Session { id, .. } if id == session);
        let gone = current.values().filter(|m| mine(m)).count();
        if gone > 0 {
            let next = current
                .iter()
                .filter(|(_, m)| !mine(m))
                .map(|(e, m)| (*e, m.clone()))
                .collect();
            self.table.store(Arc::new(next));
        }
        gone
    }

    /// Every entry, ordered by emulated socket, as JSON objects.
    fn list(&self) -> Vec<Value> {
        let table = self.table.load();
        let ordered: BTreeMap<_, _> = table.iter().collect();
        ordered
            .into_iter()
            .map(|(emulated, mapping)| {
                let mut item = mapping.origin.json();
                if let Some(object) = item.as_object_mut() {
                    object.insert("emulated".to_owned(), emulated.to_string().into());
                    object.insert("real".to_owned(), mapping.real.to_string().into());
                }
                item
            })
            .collect()
    }
}

/// One `publish` of a session request: the instance's `port` reaches `127.0.0.1:real_port`
/// (the same port when absent).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Publish {
    port: u16,
    #[serde(default)]
    real_port: Option<u16>,
}

/// The entries a session's `publish` list makes for an instance: each of its private IPv4
/// addresses (every attached interface, secondary addresses included) on each port.
pub(crate) fn publish_entries(
    state: &State,
    instance: &Instance,
    publish: &[Publish],
) -> Result<Vec<(SocketAddr, SocketAddr)>, MapError> {
    let bad = |message: String| MapError {
        status: 400,
        message,
    };
    let mut ports = std::collections::BTreeSet::new();
    for p in publish {
        if p.port == 0 || p.real_port == Some(0) {
            return Err(bad("a published port must be 1–65535, not 0".to_owned()));
        }
        if !ports.insert(p.port) {
            return Err(bad(format!("port {} is published twice", p.port)));
        }
    }
    let model = localvpc_api::Backend::snapshot(state);
    let mut addresses: Vec<Ipv4Addr> = model
        .interfaces_of_instance(instance)
        .into_iter()
        .flat_map(|i| i.addresses().collect::<Vec<_>>())
        .collect();
    if addresses.is_empty() {
        addresses.push(instance.private_ip);
    }
    addresses.sort_unstable();
    addresses.dedup();
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    Ok(addresses
        .iter()
        .flat_map(|&ip| {
            publish.iter().map(move |p| {
                (
                    SocketAddr::new(IpAddr::V4(ip), p.port),
                    SocketAddr::new(loopback, p.real_port.unwrap_or(p.port)),
                )
            })
        })
        .collect())
}

fn error(status: u16, message: &str) -> (u16, String) {
    (status, json!({ "error": message }).to_string())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddMapping {
    emulated: String,
    real: String,
}

/// `POST /_localvpc/map-ip {"emulated": "10.0.1.10:443", "real": "127.0.0.1:8443"}`.
pub(crate) fn add(state: &State, body: &[u8]) -> (u16, String) {
    let shape = "the body must be {\"emulated\": \"IP:PORT\", \"real\": \"HOST_IP:PORT\"}";
    let request: AddMapping = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return error(400, &format!("{shape}: {e}")),
    };
    let parse = |what: &str, text: &str| {
        text.parse::<SocketAddr>()
            .ok()
            .filter(|a| a.port() != 0)
            .ok_or_else(|| format!("{what} must be IP:PORT (port 1–65535), got `{text}`"))
    };
    let (emulated, real) = match (
        parse("emulated", &request.emulated),
        parse("real", &request.real),
    ) {
        (Ok(e), Ok(r)) => (e, r),
        (Err(m), _) | (_, Err(m)) => return error(400, &m),
    };
    match state.addresses.add_all(&[(emulated, real)], &Origin::Api) {
        Ok(()) => {
            tracing::info!(%emulated, %real, "address mapped");
            let body = json!({ "emulated": emulated.to_string(), "real": real.to_string(), "origin": "api" });
            (201, body.to_string())
        }
        Err(e) => error(e.status, &e.message),
    }
}

/// `GET /_localvpc/map-ip`: `{"mappings": [{"emulated", "real", "origin", …}]}`.
pub(crate) fn list(state: &State) -> (u16, String) {
    (
        200,
        json!({ "mappings": state.addresses.list() }).to_string(),
    )
}

/// `DELETE /_localvpc/map-ip/IP:PORT` (an IPv6 socket as `[::1]:443`, brackets
/// percent-encoded or not).
pub(crate) fn remove(state: &State, socket: &str) -> (u16, String) {
    let text = socket
        .replace("%5B", "[")
        .replace("%5b", "[")
        .replace("%5D", "]")
        .replace("%5d", "]")
        .replace("%3A", ":")
        .replace("%3a", ":");
    let Ok(emulated) = text.parse::<SocketAddr>() else {
        return error(
            400,
            &format!("the path must end in the emulated IP:PORT, got `{socket}`"),
        );
    };
    match state.addresses.remove(&emulated) {
        Ok(real) => {
            tracing::info!(%emulated, %real, "address unmapped");
            let body = json!({ "removed": emulated.to_string(), "real": real.to_string() });
            (200, body.to_string())
        }
        Err(e) => error(e.status, &e.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn socket(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    fn map() -> AddressMap {
        let fixed = BTreeMap::from([(socket("203.0.113.80:80"), socket("127.0.0.1:8000"))]);
        AddressMap::new(&fixed)
    }

    #[test]
    fn static_entries_are_found_and_cannot_be_removed_or_shadowed() {
        let map = map();
        assert_eq!(
            map.get(&socket("203.0.113.80:80")),
            Some(socket("127.0.0.1:8000"))
        );
        assert_eq!(
            map.remove(&socket("203.0.113.80:80")).unwrap_err().status,
            409
        );
        let again = [(socket("203.0.113.80:80"), socket("127.0.0.1:9"))];
        assert_eq!(map.add_all(&again, &Origin::Api).unwrap_err().status, 409);
        assert_eq!(map.remove(&socket("10.0.0.1:80")).unwrap_err().status, 404);
    }

    #[test]
    fn api_entries_come_and_go() {
        let map = map();
        let entry = [(socket("10.0.1.10:443"), socket("127.0.0.1:8443"))];
        map.add_all(&entry, &Origin::Api).unwrap();
        assert_eq!(
            map.get(&socket("10.0.1.10:443")),
            Some(socket("127.0.0.1:8443"))
        );
        assert_eq!(map.list().len(), 2);
        assert_eq!(
            map.remove(&socket("10.0.1.10:443")),
            Ok(socket("127.0.0.1:8443"))
        );
        assert_eq!(map.get(&socket("10.0.1.10:443")), None);
    }

    #[test]
    fn a_sessions_entries_are_all_or_nothing_and_leave_with_it() {
        let map = map();
        let session = |id: &str| Origin::Session {
            id: id.to_owned(),
            instance: "i-1".to_owned(),
        };
        let entries = [
            (socket("10.0.1.5:8080"), socket("127.0.0.1:8080")),
            (socket("10.0.1.6:8080"), socket("127.0.0.1:8080")),
        ];
        map.add_all(&entries, &session("s-1")).unwrap();
        // Another session publishing one of the same sockets gets nothing.
        let overlapping = [
            (socket("10.0.1.7:8080"), socket("127.0.0.1:8081")),
            (socket("10.0.1.6:8080"), socket("127.0.0.1:8081")),
        ];
        let refused = map.add_all(&overlapping, &session("s-2")).unwrap_err();
        assert_eq!(refused.status, 409);
        assert!(
            refused.message.contains("session s-1"),
            "{}",
            refused.message
        );
        assert_eq!(map.get(&socket("10.0.1.7:8080")), None);
        // Nor can the API remove them.
        assert_eq!(
            map.remove(&socket("10.0.1.5:8080")).unwrap_err().status,
            409
        );
        assert_eq!(map.remove_session("s-2"), 0);
        assert_eq!(map.remove_session("s-1"), 2);
        assert_eq!(map.get(&socket("10.0.1.5:8080")), None);
        assert_eq!(map.list().len(), 1);
    }
}

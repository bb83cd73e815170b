//! Sessions: which instance a proxy client acts as, proved by a secret token.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// One `localvpc exec`: a program acting as an instance.
#[derive(Debug)]
pub struct Session {
    /// The public half of the credential (the proxy URL's user name).
    pub id: String,
    /// The instance the program runs in (`i-…`).
    pub instance: String,
    token: String,
}

impl Session {
    /// The secret half of the credential (the proxy URL's password).
    pub fn token(&self) -> &str {
        &self.token
    }
}

/// The open sessions. In memory only: a restarted server forgets them, and a program
/// still running with an old credential is refused (407) until it is started again.
#[derive(Debug, Default)]
pub struct Sessions {
    open: Mutex<HashMap<String, Arc<Session>>>,
    live: Arc<AtomicUsize>,
}

/// One client connection (or the tunnel it became) counted as live until dropped.
#[derive(Debug)]
pub(crate) struct Live(Arc<AtomicUsize>);

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// `n` random bytes from the operating system, as hex.
fn random_hex(n: usize) -> Result<String, getrandom::Error> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Sessions {
    /// Opens a session for `instance`; `None` only when the OS has no randomness to give.
    pub fn open(&self, instance: &str) -> Option<Arc<Session>> {
        let session = Arc::new(Session {
            id: format!("s-{}", random_hex(8).ok()?),
            instance: instance.to_owned(),
            token: random_hex(24).ok()?,
        });
        self.lock().insert(session.id.clone(), Arc::clone(&session));
        Some(session)
    }

    /// Closes a session; whether it was open.
    pub fn close(&self, id: &str) -> bool {
        self.lock().remove(id).is_some()
    }

    /// Whether the session `id` is open.
    pub fn is_open(&self, id: &str) -> bool {
        self.lock().contains_key(id)
    }

    /// The session a `Proxy-Authorization: Basic …` value proves, if any.
    pub fn authenticate(&self, header: Option<&str>) -> Option<Arc<Session>> {
        let encoded = header?.trim().strip_prefix("Basic ")?;
        let decoded = STANDARD.decode(encoded.trim()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, token) = text.split_once(':')?;
        self.prove(id, token)
    }

    /// The session `id` names, if `token` is its token.
    pub fn prove(&self, id: &str, token: &str) -> Option<Arc<Session>> {
        let session = self.lock().get(id).cloned()?;
        same(session.token.as_bytes(), token.as_bytes()).then_some(session)
    }

    /// How many client connections the proxy holds now: those being read or answered, and
    /// the tunnels and intercepted connections they became (a gauge for tests and leaks).
    pub fn live_connections(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }

    /// Counts one more live connection until the guard is dropped.
    pub(crate) fn enter(&self) -> Live {
        self.live.fetch_add(1, Ordering::Relaxed);
        Live(Arc::clone(&self.live))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Session>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Compares secrets in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, password: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
    }

    #[test]
    fn a_session_is_proved_by_its_id_and_token_only() {
        let sessions = Sessions::default();
        let s = sessions.open("i-0123456789abcdef0").unwrap();
        assert!(s.id.starts_with("s-") && s.token().len() == 48);
        let ok = sessions
            .authenticate(Some(&basic(&s.id, s.token())))
            .unwrap();
        assert_eq!(ok.instance, "i-0123456789abcdef0");
        assert!(
            sessions
                .authenticate(Some(&basic(&s.id, "wrong")))
                .is_none()
        );
        assert!(
            sessions
                .authenticate(Some(&basic("s-other", s.token())))
                .is_none()
        );
        assert!(sessions.authenticate(Some("Bearer x")).is_none());
        assert!(sessions.authenticate(Some("Basic %%%")).is_none());
        assert!(sessions.authenticate(None).is_none());
        assert!(sessions.close(&s.id));
        assert!(
            sessions
                .authenticate(Some(&basic(&s.id, s.token())))
                .is_none()
        );
        assert!(!sessions.close(&s.id));
    }

    #[test]
    fn sessions_do_not_share_credentials() {
        let sessions = Sessions::default();
        let a = sessions.open("i-a").unwrap();
        let b = sessions.open("i-b").unwrap();
        assert_ne!(a.id, b.id);
        assert_ne!(a.token(), b.token());
        assert!(
            sessions
                .authenticate(Some(&basic(&a.id, b.token())))
                .is_none()
        );
    }
}

//! A session's lease: `GET /_localvpc/sessions/ID/lease` is answered only when the session
//! closes (or the server stops). `localvpc exec` keeps that request open for the life of its
//! program; if exec dies without closing the session (`kill -9`, a crash), its connection
//! drops, the server drops the pending answer, and the session closes with its published
//! ports, so no port stays published by a program that is gone.

use crate::state::State;
use serde_json::json;
use std::time::Duration;

/// How often a lease looks whether its session was closed by `DELETE`.
const POLL: Duration = Duration::from_millis(500);

/// Closes the session when dropped while armed: the lease's client went away.
struct CloseOnDrop<'a> {
    state: &'a State,
    id: &'a str,
    armed: bool,
}

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        if self.armed {
            tracing::info!(session = self.id, "the session's lease dropped: closing it");
            crate::dataplane::close_session(self.state, self.id);
        }
    }
}

/// `GET /_localvpc/sessions/ID/lease`: 200 once the session is closed, 503 when the server
/// stops first, 404 for a session that is not open.
pub(crate) async fn hold(state: &State, id: &str) -> (u16, String) {
    if !state.sessions.is_open(id) {
        return (
            404,
            json!({ "error": format!("no session `{id}`") }).to_string(),
        );
    }
    let mut guard = CloseOnDrop {
        state,
        id,
        armed: true,
    };
    let mut closing = state.closing.subscribe();
    let answer = loop {
        if *closing.borrow_and_update() {
            break (
                503,
                json!({ "error": "the server is stopping" }).to_string(),
            );
        }
        if !state.sessions.is_open(id) {
            break (200, json!({ "closed": id }).to_string());
        }
        tokio::select! {
            () = tokio::time::sleep(POLL) => {}
            _ = closing.changed() => {}
        }
    };
    guard.armed = false;
    answer
}

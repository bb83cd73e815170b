//! What the JSON 1.1 services (Route 53 Resolver, CloudWatch Logs) share: reading a request
//! body into a typed input.

use crate::ApiError;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The body as JSON and as the operation's input type (an empty body is `{}`). A body that is
/// not JSON, or a member of the wrong type, is a `SerializationException`, as AWS answers.
pub(crate) fn read_body<T: DeserializeOwned>(body: &[u8]) -> Result<(Value, T), ApiError> {
    let text = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    let unreadable = |e: serde_json::Error| {
        ApiError::new(
            400,
            "SerializationException",
            format!("The request body could not be read: {e}"),
        )
    };
    let value: Value = serde_json::from_slice(text).map_err(unreadable)?;
    let input = T::deserialize(&value).map_err(unreadable)?;
    Ok((value, input))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Input {
        #[serde(rename = "n")]
        _n: Option<i64>,
    }

    #[test]
    fn empty_is_an_empty_object_and_bad_json_a_serialization_exception() {
        assert!(read_body::<Input>(b"  ").is_ok());
        for body in [b"{".as_slice(), br#"{"n":"x"}"#] {
            let e = read_body::<Input>(body).err().unwrap();
            assert_eq!((e.status, e.code.as_ref()), (400, "SerializationException"));
        }
    }
}

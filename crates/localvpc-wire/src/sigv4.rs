//! The credential scope of a SigV4-signed request. Signatures are not verified: localvpc
//! is a local emulator and, like moto, accepts any secret.

/// `AKID/20260101/ap-northeast-1/ec2/aws4_request`, split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialScope {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
}

impl CredentialScope {
    /// Reads the scope from an `Authorization: AWS4-HMAC-SHA256 Credential=…, …` header value.
    pub fn from_authorization(header: &str) -> Option<Self> {
        let rest = header.trim().strip_prefix("AWS4-HMAC-SHA256")?;
        let credential = rest
            .split(',')
            .map(str::trim)
            .find_map(|part| part.strip_prefix("Credential="))?;
        Self::from_credential(credential)
    }

    /// Reads `AKID/date/region/service/aws4_request` (also the `X-Amz-Credential` query value).
    pub fn from_credential(credential: &str) -> Option<Self> {
        let mut parts = credential.split('/');
        let access_key_id = parts.next()?.to_owned();
        let date = parts.next()?.to_owned();
        let region = parts.next()?.to_owned();
        let service = parts.next()?.to_owned();
        (parts.next() == Some("aws4_request") && !access_key_id.is_empty() && !region.is_empty())
            .then_some(Self {
                access_key_id,
                date,
                region,
                service,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_botocore_header() {
        let h = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/ap-northeast-1/ec2/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date, Signature=abc";
        let s = CredentialScope::from_authorization(h).unwrap();
        assert_eq!(s.access_key_id, "AKIDEXAMPLE");
        assert_eq!(s.region, "ap-northeast-1");
        assert_eq!(s.service, "ec2");
    }

    #[test]
    fn rejects_other_schemes() {
        assert!(CredentialScope::from_authorization("Basic abc").is_none());
        assert!(CredentialScope::from_authorization("AWS4-HMAC-SHA256 Credential=a/b").is_none());
    }
}

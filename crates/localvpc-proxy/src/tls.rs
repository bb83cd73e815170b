//! The local certificate authority: it signs, per server name, the certificates the proxy
//! shows when it terminates TLS for a service localvpc serves itself (the aws CLI asking
//! `https://ec2.ap-northeast-1.amazonaws.com` through an interface endpoint). Programs run
//! by `localvpc exec` trust it; nothing else does.
//!
//! The CA is made once per data directory (`ca.pem`, and `ca.key` readable by its owner
//! only) and never leaves it; an ephemeral server makes one in memory. Leaf certificates
//! are made on first use of a name and kept for the life of the process.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

/// The certificate file of a CA directory.
pub const CA_CERT_FILE: &str = "ca.pem";
/// The private key file of a CA directory.
pub const CA_KEY_FILE: &str = "ca.key";

/// Why the authority could not be made or loaded.
#[derive(Debug, thiserror::Error)]
pub enum AuthorityError {
    #[error("the certificate authority in {dir}: {source}")]
    Io { dir: String, source: std::io::Error },
    #[error("the certificate authority: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("a leaf certificate's key: {0}")]
    Key(#[from] rustls::Error),
}

/// The local certificate authority and the leaf certificates it has signed.
pub struct Authority {
    issuer: Issuer<'static, KeyPair>,
    /// The CA certificate, PEM: what clients trust.
    pem: String,
    leaves: Mutex<HashMap<String, Arc<CertifiedKey>>>,
    /// One TLS configuration per CONNECT host, kept: building one per connection cost a
    /// provider and a resolver each time, and a configuration's session cache is what lets
    /// a client resume (a short handshake without signing) on its next connection.
    configs: Mutex<HashMap<String, Arc<rustls::ServerConfig>>>,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority").finish_non_exhaustive()
    }
}

/// The CA's parameters. Its name is fixed, so an issuer rebuilt from the stored key names
/// the same subject as the stored certificate.
fn ca_params() -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localvpc local certificate authority");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "localvpc");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    Ok(params)
}

impl Authority {
    /// A new authority held in memory only.
    pub fn ephemeral() -> Result<Self, AuthorityError> {
        let key = KeyPair::generate()?;
        let params = ca_params()?;
        let pem = params.self_signed(&key)?.pem();
        Ok(Self::from_parts(params, key, pem))
    }

    /// The authority of `dir`: loaded when it holds one, else made and written there.
    pub fn in_dir(dir: &Path) -> Result<Self, AuthorityError> {
        let io = |source| AuthorityError::Io {
            dir: dir.display().to_string(),
            source,
        };
        let (cert_path, key_path) = (dir.join(CA_CERT_FILE), dir.join(CA_KEY_FILE));
        if cert_path.exists() && key_path.exists() {
            let pem = std::fs::read_to_string(&cert_path).map_err(io)?;
            let key = KeyPair::from_pem(&std::fs::read_to_string(&key_path).map_err(io)?)?;
            return Ok(Self::from_parts(ca_params()?, key, pem));
        }
        std::fs::create_dir_all(dir).map_err(io)?;
        let authority = Self::ephemeral()?;
        write_private(&key_path, &authority.issuer.key().serialize_pem()).map_err(io)?;
        std::fs::write(&cert_path, &authority.pem).map_err(io)?;
        Ok(authority)
    }

    fn from_parts(params: CertificateParams, key: KeyPair, pem: String) -> Self {
        Self {
            issuer: Issuer::new(params, key),
            pem,
            leaves: Mutex::default(),
            configs: Mutex::default(),
        }
    }

    /// The CA certificate (PEM) that clients are to trust.
    pub fn certificate_pem(&self) -> &str {
        &self.pem
    }

    /// The certificate for `name` (a DNS name or an address), signed on first use.
    pub fn leaf(&self, name: &str) -> Result<Arc<CertifiedKey>, AuthorityError> {
        let mut leaves = self.leaves.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(leaf) = leaves.get(name) {
            return Ok(Arc::clone(leaf));
        }
        let mut params = CertificateParams::new(vec![name.to_owned()])?;
        params.distinguished_name.push(DnType::CommonName, name);
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let signing = rustls::crypto::ring::sign::any_supported_type(&der)?;
        let leaf = Arc::new(CertifiedKey::new(
            vec![CertificateDer::from(cert.der().to_vec())],
            signing,
        ));
        leaves.insert(name.to_owned(), Arc::clone(&leaf));
        Ok(leaf)
    }

    /// A TLS server configuration that shows the certificate of the name the client asks
    /// for (SNI), or of `fallback` (the CONNECT host) when it names none; HTTP/1.1 only.
    pub(crate) fn server_config(
        self: &Arc<Self>,
        fallback: &str,
    ) -> Result<Arc<rustls::ServerConfig>, rustls::Error> {
        let mut configs = self.configs.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(config) = configs.get(fallback) {
            return Ok(Arc::clone(config));
        }
        // ring (no C toolchain beyond cc, quick to build) has no post-quantum key exchange,
        // which loopback connections from local programs do not need.
        #[expect(
            deprecated,
            reason = "ring's provider lacks post-quantum key exchange only"
        )]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(ByName {
                authority: Arc::clone(self),
                fallback: fallback.to_owned(),
            }));
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let config = Arc::new(config);
        configs.insert(fallback.to_owned(), Arc::clone(&config));
        Ok(config)
    }
}

/// Writes a file readable by its owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        file.write_all(text.as_bytes())
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, text)
    }
}

/// Chooses a leaf certificate by the name the client asks for.
#[derive(Debug)]
struct ByName {
    authority: Arc<Authority>,
    fallback: String,
}

impl ResolvesServerCert for ByName {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let name = hello.server_name().unwrap_or(&self.fallback);
        match self.authority.leaf(name) {
            Ok(leaf) => Some(leaf),
            Err(e) => {
                tracing::warn!(name, error = %e, "no certificate");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_authority_is_the_same_after_a_restart() {
        let dir = std::env::temp_dir().join(format!("localvpc-ca-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = Authority::in_dir(&dir).unwrap();
        let again = Authority::in_dir(&dir).unwrap();
        assert_eq!(first.certificate_pem(), again.certificate_pem());
        assert!(
            first
                .certificate_pem()
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(CA_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key is the owner's alone");
        }
        // A leaf signed after the restart is issued by the stored certificate's subject.
        let leaf = again.leaf("ec2.ap-northeast-1.amazonaws.com").unwrap();
        assert_eq!(leaf.cert.len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn leaves_are_made_once_per_name() {
        let ca = Authority::ephemeral().unwrap();
        let a = ca.leaf("sts.ap-northeast-1.amazonaws.com").unwrap();
        let b = ca.leaf("sts.ap-northeast-1.amazonaws.com").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let ip = ca.leaf("10.0.1.5").unwrap();
        assert!(!Arc::ptr_eq(&a, &ip));
        let ca = Arc::new(ca);
        let c = ca
            .server_config("sts.ap-northeast-1.amazonaws.com")
            .unwrap();
        let d = ca
            .server_config("sts.ap-northeast-1.amazonaws.com")
            .unwrap();
        assert!(
            Arc::ptr_eq(&c, &d),
            "one configuration (and session cache) per name"
        );
    }
}

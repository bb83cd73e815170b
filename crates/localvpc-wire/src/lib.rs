//! AWS wire formats, independent of what the messages mean.
//!
//! - [`query`]: the `application/x-www-form-urlencoded` input of the EC2 (and other
//!   `Action=`-style) query protocols, with AWS's flattened lists (`SubnetId.1`) and nested
//!   structures (`Filter.1.Value.2`).
//! - [`xml`]: a small XML writer with escaping, and the EC2 success and error envelopes.
//! - [`xml_doc`]: reading XML request bodies (Route 53) into an element tree.
//! - [`sigv4`]: reading the credential scope (access key, region, service) of a request.
//! - [`time`]: AWS timestamp formats.

pub mod md5;
pub mod query;
pub mod sigv4;
pub mod time;
pub mod xml;
pub mod xml_doc;

//! The network decision core: whether a packet gets from here to there in one model
//! snapshot, and why.
//!
//! This crate owns:
//! - [`NetIndex`]: the lookup tables of one snapshot (address → interface and owner, subnet
//!   → route table and network ACL, security group → member addresses, prefix lists
//!   expanded, security group rules with their peers resolved and network ACL entries in
//!   rule order (what traffic a rule is about is the model's [`localvpc_model::Traffic`]),
//!   endpoint policies parsed),
//!   built once per snapshot so no decision scans the model;
//! - the decisions ([`decide`]): [`decide::route`] (longest prefix match),
//!   [`decide::network_acl`] (stateless, ordered, port ranges as sets),
//!   [`decide::security_group`] (stateful allow rules: CIDR, IPv6, prefix list, group
//!   references), each returning its verdict and the element that decided; endpoint policies
//!   are evaluated by `localvpc-policy` on a parsed request;
//! - the path search ([`analyze`]): forward and return path, hop by hop, with every blocker
//!   on a blocked path named with AWS's Reachability Analyzer explanation codes; [`verdict`]
//!   runs the same search without recording hops (batches, the data plane);
//! - where VPC flow logs see a connection ([`sightings`]): the interfaces its packets leave
//!   and enter, each with the action and the rule that decided, read off the same hops;
//! - the explanation vocabulary ([`explain`]) that `localvpc trace`, the EC2 Network Insights
//!   API and the data plane print.
//!
//! It must not do I/O, change the model, or know any wire format.

pub mod decide;
pub mod explain;
mod flow;
mod index;
mod packet;
mod path;
#[cfg(test)]
mod tests;

pub use flow::{Sighting, sightings};
pub use index::{NetIndex, Owner};
pub use localvpc_model::{IpProtocol, PortRange};
pub use packet::Packet;
pub use path::{
    Analysis, INTERNET_ADDRESS, PathEnd, PathError, PathQuery, PolicyVerdict, ServiceRequest,
    analyze, endpoint_policy, verdict,
};

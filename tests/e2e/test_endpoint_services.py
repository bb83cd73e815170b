"""Endpoint services, the provider side of PrivateLink (docs/aws-semantics.md §4, §5.1-§5.4): a service in front
of a network load balancer (CreateVpcEndpointServiceConfiguration and friends), who may see and
connect to it (ModifyVpcEndpointServicePermissions), the acceptance flow seen from both accounts
(DescribeVpcEndpointConnections, Accept/RejectVpcEndpointConnections), connection notifications,
and Gateway Load Balancer services with their endpoints as route targets.

The provider is account 111111111111 (access key ALPHA), the consumer 222222222222 (BRAVO), on
the module's shared server. Load balancers are built with the ELBv2 API (elbv2_helpers).

Where localvpc does not match a documented AWS behaviour the test still asserts AWS and is
marked xfail(strict=True); its reason names the request, AWS's answer and localvpc's."""

from __future__ import annotations

import re

import pytest
from elbv2_helpers import gwlb_stack, network, new_elbv2_client, nlb_stack
from helpers import (
    ALPHA_ACCOUNT,
    ALPHA_KEY,
    BRAVO_ACCOUNT,
    BRAVO_KEY,
    expect_client_error,
    expect_error,
    tag_spec,
    tags_of,
    wait_until,
)

R = "ap-northeast-1"
PROVIDER, CONSUMER = ALPHA_ACCOUNT, BRAVO_ACCOUNT
CONSUMER_ROOT = f"arn:aws:iam::{CONSUMER}:root"
VPCE_ZONE = "Z2E726K9Y6RL4W"  # ap-northeast-1's vpce.amazonaws.com zone (spec 3.3)
SVC_ID_RE = re.compile(r"^vpce-svc-[0-9a-f]{17}$")
NFN_ID_RE = re.compile(r"^vpce-nfn-[0-9a-f]{17}$")
TOPIC = f"arn:aws:sns:{R}:{PROVIDER}:endpoint-events"
MISSING_VPCE = "vpce-0123456789abcdef0"


def f(name, *values):
    return {"Name": name, "Values": list(values)}


# --------------------------------------------------------------------------- fixtures / helpers


@pytest.fixture
def provider(make_client):
    return make_client(access_key=ALPHA_KEY)


@pytest.fixture
def consumer(make_client):
    return make_client(access_key=BRAVO_KEY)


@pytest.fixture
def provider_elb(endpoint):
    return new_elbv2_client(endpoint, access_key=ALPHA_KEY)


@pytest.fixture
def stack(provider, provider_elb):
    """The provider's internal NLB in ap-northeast-1a and -1c with a TCP 443 listener."""
    return nlb_stack(provider, provider_elb)


@pytest.fixture
def consumer_net(consumer):
    """The consumer's VPC 10.5.0.0/16 with a subnet in ap-northeast-1a and -1c."""
    return network(consumer, "10.5.0.0/16")


def create_service(ec2, nlb_arn, acceptance=True, **kw):
    return ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[nlb_arn], AcceptanceRequired=acceptance, **kw)["ServiceConfiguration"]


@pytest.fixture
def service(provider, stack):
    """A service in front of the NLB, acceptance required, the consumer allowed."""
    svc = create_service(provider, stack["lb"]["LoadBalancerArn"])
    provider.modify_vpc_endpoint_service_permissions(ServiceId=svc["ServiceId"], AddAllowedPrincipals=[CONSUMER_ROOT])
    return svc


def service_names(ec2):
    return ec2.describe_vpc_endpoint_services()["ServiceNames"]


def connect(consumer, net, service_name, *, subnets=None, **kw):
    return consumer.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=net["vpc"], ServiceName=service_name,
                                        SubnetIds=list(subnets or net["subnets"]), **kw)["VpcEndpoint"]


def describe_ep(ec2, vpce_id):
    [e] = ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce_id])["VpcEndpoints"]
    return e


def state_of(ec2, vpce_id):
    return describe_ep(ec2, vpce_id)["State"]


def connections(provider, **kw):
    return provider.describe_vpc_endpoint_connections(**kw)["VpcEndpointConnections"]


def config(provider, service_id):
    [s] = provider.describe_vpc_endpoint_service_configurations(ServiceIds=[service_id])["ServiceConfigurations"]
    return s


# --------------------------------------------------------------------------- creating a service


def test_create_service_configuration(provider, stack):
    nlb_arn = stack["lb"]["LoadBalancerArn"]
    svc = create_service(provider, nlb_arn, PrivateDnsName="api.example.com",
                         TagSpecifications=tag_spec("vpc-endpoint-service", Name="orders"))
    sid = svc["ServiceId"]
    assert SVC_ID_RE.match(sid), sid
    assert svc["ServiceName"] == f"com.amazonaws.vpce.{R}.{sid}"
    assert svc["ServiceType"] == [{"ServiceType": "Interface"}]
    assert svc["ServiceState"] == "Available"
    assert svc["AvailabilityZones"] == [f"{R}a", f"{R}c"]
    assert svc["BaseEndpointDnsNames"] == [f"{sid}.{R}.vpce.amazonaws.com"]
    assert (svc["AcceptanceRequired"], svc["ManagesVpcEndpoints"]) == (True, False)
    assert svc["NetworkLoadBalancerArns"] == [nlb_arn]
    assert not svc.get("GatewayLoadBalancerArns")
    assert svc["SupportedIpAddressTypes"] == ["ipv4"]
    assert tags_of(svc) == {"Name": "orders"}
    # Private DNS name: a TXT record to publish under the domain, pending verification.
    assert svc["PrivateDnsName"] == "api.example.com"
    conf = svc["PrivateDnsNameConfiguration"]
    assert (conf["State"], conf["Type"]) == ("pendingVerification", "TXT")
    assert re.fullmatch(r"_[a-z0-9]+", conf["Name"]), conf
    assert re.fullmatch(r"vpce:[A-Za-z0-9]+", conf["Value"]), conf

    got = config(provider, sid)
    for key in ("ServiceName", "ServiceState", "AvailabilityZones", "BaseEndpointDnsNames", "AcceptanceRequired",
                "NetworkLoadBalancerArns", "PrivateDnsName", "PrivateDnsNameConfiguration"):
        assert got[key] == svc[key], key
    assert [s["ServiceId"] for s in
            provider.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]] == [sid]
    by_name = provider.describe_vpc_endpoint_service_configurations(
        Filters=[f("service-name", svc["ServiceName"])])["ServiceConfigurations"]
    assert [s["ServiceId"] for s in by_name] == [sid]

    # The owner sees it in the consumer view too: owner account, no endpoint policies.
    [detail] = provider.describe_vpc_endpoint_services(ServiceNames=[svc["ServiceName"]])["ServiceDetails"]
    assert (detail["ServiceId"], detail["Owner"], detail["ServiceType"]) == \
        (sid, PROVIDER, [{"ServiceType": "Interface"}])
    assert detail["VpcEndpointPolicySupported"] is False
    assert detail["AcceptanceRequired"] is True
    assert detail["BaseEndpointDnsNames"] == svc["BaseEndpointDnsNames"]
    assert detail["AvailabilityZones"] == [f"{R}a", f"{R}c"]


def test_bad_load_balancer_arns(provider, consumer, stack):
    expect_error(provider.create_vpc_endpoint_service_configuration, NetworkLoadBalancerArns=["not-an-arn"],
                 code="InvalidNetworkLoadBalancerArn.Malformed")
    missing = f"arn:aws:elasticloadbalancing:{R}:{PROVIDER}:loadbalancer/net/nothing/0123456789abcdef"
    expect_error(provider.create_vpc_endpoint_service_configuration, NetworkLoadBalancerArns=[missing],
                 code="InvalidNetworkLoadBalancerArn.NotFound")
    # Another account's load balancer is not found either.
    expect_error(consumer.create_vpc_endpoint_service_configuration,
                 NetworkLoadBalancerArns=[stack["lb"]["LoadBalancerArn"]],
                 code="InvalidNetworkLoadBalancerArn.NotFound")
    assert provider.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"] == []


def test_unknown_service_id(provider):
    expect_error(provider.describe_vpc_endpoint_service_configurations, ServiceIds=["vpce-svc-0123456789abcdef0"],
                 code="InvalidVpcEndpointServiceId.NotFound")
    expect_error(provider.describe_vpc_endpoint_service_permissions, ServiceId="vpce-svc-0123456789abcdef0",
                 code="InvalidVpcEndpointServiceId.NotFound")


def test_load_balancer_of_a_service_cannot_be_deleted(provider, provider_elb, stack):
    svc = create_service(provider, stack["lb"]["LoadBalancerArn"])
    expect_error(provider_elb.delete_load_balancer, LoadBalancerArn=stack["lb"]["LoadBalancerArn"],
                 code="ResourceInUse")
    assert provider.delete_vpc_endpoint_service_configurations(ServiceIds=[svc["ServiceId"]])["Unsuccessful"] == []
    provider_elb.delete_load_balancer(LoadBalancerArn=stack["lb"]["LoadBalancerArn"])
    expect_error(provider.describe_vpc_endpoint_service_configurations, ServiceIds=[svc["ServiceId"]],
                 code="InvalidVpcEndpointServiceId.NotFound")


def test_modify_service_configuration(provider, stack):
    svc = create_service(provider, stack["lb"]["LoadBalancerArn"])
    sid = svc["ServiceId"]
    assert provider.modify_vpc_endpoint_service_configuration(
        ServiceId=sid, AcceptanceRequired=False, PrivateDnsName="svc.example.org")["Return"] is True
    got = config(provider, sid)
    assert (got["AcceptanceRequired"], got["PrivateDnsName"]) == (False, "svc.example.org")
    assert got["PrivateDnsNameConfiguration"]["State"] == "pendingVerification"
    provider.modify_vpc_endpoint_service_configuration(ServiceId=sid, RemovePrivateDnsName=True)
    got = config(provider, sid)
    assert "PrivateDnsName" not in got and "PrivateDnsNameConfiguration" not in got, got


# --------------------------------------------------------------------------- permissions


def test_consumer_needs_permission(make_client, provider, consumer, stack, consumer_net):
    svc = create_service(provider, stack["lb"]["LoadBalancerArn"])
    sid, name = svc["ServiceId"], svc["ServiceName"]
    # Spec 5.2 [OBS]: invisible and InvalidServiceName until allowed.
    assert name not in service_names(consumer)
    expect_error(consumer.describe_vpc_endpoint_services, ServiceNames=[name], code="InvalidServiceName")
    expect_error(connect, consumer, consumer_net, name, code="InvalidServiceName")
    assert provider.describe_vpc_endpoint_service_permissions(ServiceId=sid)["AllowedPrincipals"] == []

    resp = provider.modify_vpc_endpoint_service_permissions(ServiceId=sid, AddAllowedPrincipals=[CONSUMER_ROOT])
    assert resp["ReturnValue"] is True
    [added] = resp["AddedPrincipals"]
    assert (added["PrincipalType"], added["Principal"], added["ServiceId"]) == ("Account", CONSUMER_ROOT, sid)
    assert added["ServicePermissionId"].startswith("vpce-svc-perm-")
    [allowed] = provider.describe_vpc_endpoint_service_permissions(ServiceId=sid)["AllowedPrincipals"]
    assert (allowed["PrincipalType"], allowed["Principal"]) == ("Account", CONSUMER_ROOT)
    by_type = provider.describe_vpc_endpoint_service_permissions(
        ServiceId=sid, Filters=[f("principal-type", "Account")])["AllowedPrincipals"]
    assert [p["Principal"] for p in by_type] == [CONSUMER_ROOT]
    assert provider.describe_vpc_endpoint_service_permissions(
        ServiceId=sid, Filters=[f("principal-type", "Role")])["AllowedPrincipals"] == []

    assert name in service_names(consumer)
    [detail] = consumer.describe_vpc_endpoint_services(ServiceNames=[name])["ServiceDetails"]
    assert (detail["ServiceId"], detail["Owner"], detail["AcceptanceRequired"]) == (sid, PROVIDER, True)
    assert detail["VpcEndpointPolicySupported"] is False
    assert detail["ServiceType"] == [{"ServiceType": "Interface"}]
    assert detail["BaseEndpointDnsNames"] == [f"{sid}.{R}.vpce.amazonaws.com"]
    assert sorted(detail["AvailabilityZones"]) == [f"{R}a", f"{R}c"]
    # Other accounts still do not see it.
    stranger = make_client()
    assert name not in service_names(stranger)
    expect_error(stranger.describe_vpc_endpoint_services, ServiceNames=[name], code="InvalidServiceName")


def test_other_principal_forms(provider, stack):
    sid = create_service(provider, stack["lb"]["LoadBalancerArn"])["ServiceId"]
    role = f"arn:aws:iam::{CONSUMER}:role/deployer"
    added = provider.modify_vpc_endpoint_service_permissions(
        ServiceId=sid, AddAllowedPrincipals=[role, "*"])["AddedPrincipals"]
    assert sorted((a["PrincipalType"], a["Principal"]) for a in added) == [("All", "*"), ("Role", role)]
    # A principal ARN with a path is not supported (spec 5.2). AWS-UNCONFIRMED: the code.
    expect_client_error(provider.modify_vpc_endpoint_service_permissions, ServiceId=sid,
                        AddAllowedPrincipals=[f"arn:aws:iam::{CONSUMER}:role/team/deployer"])


def test_removing_the_principal_hides_the_service(provider, consumer, service, consumer_net):
    name, sid = service["ServiceName"], service["ServiceId"]
    assert name in service_names(consumer)
    provider.modify_vpc_endpoint_service_permissions(ServiceId=sid, RemoveAllowedPrincipals=[CONSUMER_ROOT])
    assert provider.describe_vpc_endpoint_service_permissions(ServiceId=sid)["AllowedPrincipals"] == []
    assert name not in service_names(consumer)
    expect_error(consumer.describe_vpc_endpoint_services, ServiceNames=[name], code="InvalidServiceName")
    expect_error(connect, consumer, consumer_net, name, code="InvalidServiceName")


def test_service_is_the_providers(consumer, service):
    sid = service["ServiceId"]
    # The consumer may connect but not manage: the configuration is unknown in its account.
    expect_error(consumer.describe_vpc_endpoint_service_configurations, ServiceIds=[sid],
                 code="InvalidVpcEndpointServiceId.NotFound")
    assert consumer.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"] == []
    expect_error(consumer.modify_vpc_endpoint_service_permissions, ServiceId=sid,
                 AddAllowedPrincipals=[f"arn:aws:iam::{PROVIDER}:root"], code="InvalidVpcEndpointServiceId.NotFound")
    expect_error(consumer.accept_vpc_endpoint_connections, ServiceId=sid, VpcEndpointIds=[MISSING_VPCE],
                 code="InvalidVpcEndpointServiceId.NotFound")
    [failed] = consumer.delete_vpc_endpoint_service_configurations(ServiceIds=[sid])["Unsuccessful"]
    assert (failed["ResourceId"], failed["Error"]["Code"]) == (sid, "InvalidVpcEndpointServiceId.NotFound")


# --------------------------------------------------------------------------- connections


def test_acceptance_flow(provider, consumer, service, consumer_net):
    sid, name = service["ServiceId"], service["ServiceName"]
    ep = connect(consumer, consumer_net, name)
    vpce = ep["VpcEndpointId"]
    assert ep["State"] == "pendingAcceptance"
    assert (ep["VpcEndpointType"], ep["ServiceName"], ep["OwnerId"]) == ("Interface", name, CONSUMER)
    assert state_of(consumer, vpce) == "pendingAcceptance"

    # The provider sees the request.
    [conn] = connections(provider)
    assert (conn["ServiceId"], conn["VpcEndpointId"], conn["VpcEndpointOwner"], conn["VpcEndpointState"]) == \
        (sid, vpce, CONSUMER, "pendingAcceptance")
    assert conn["NetworkLoadBalancerArns"] == service["NetworkLoadBalancerArns"]
    assert [c["VpcEndpointId"] for c in connections(provider, Filters=[f("service-id", sid)])] == [vpce]
    assert [c["VpcEndpointId"] for c in connections(
        provider, Filters=[f("vpc-endpoint-state", "pendingAcceptance")])] == [vpce]
    assert connections(provider, Filters=[f("vpc-endpoint-state", "available")]) == []
    # The consumer has no service, so no connections.
    assert connections(consumer) == []

    resp = provider.accept_vpc_endpoint_connections(ServiceId=sid, VpcEndpointIds=[vpce, MISSING_VPCE])
    [bad] = resp["Unsuccessful"]
    assert bad["ResourceId"] == MISSING_VPCE and bad["Error"]["Code"], bad
    assert wait_until(lambda: state_of(consumer, vpce) == "available"), describe_ep(consumer, vpce)
    [conn] = connections(provider)
    assert conn["VpcEndpointState"] == "available"

    # DNS entries under the service's base name: regional first, then one per zone.
    e = describe_ep(consumer, vpce)
    base = f"{sid}.{R}.vpce.amazonaws.com"
    names = [(d["DnsName"], d["HostedZoneId"]) for d in e["DnsEntries"]]
    m = re.fullmatch(rf"{vpce}-([a-z0-9]{{8}})\.{re.escape(base)}", names[0][0])
    assert m and names[0][1] == VPCE_ZONE, names
    token = m.group(1)
    assert sorted(names[1:]) == [(f"{vpce}-{token}-{R}a.{base}", VPCE_ZONE), (f"{vpce}-{token}-{R}c.{base}", VPCE_ZONE)]
    # One requester-managed interface per subnet, in the consumer's account.
    enis = consumer.describe_network_interfaces(NetworkInterfaceIds=e["NetworkInterfaceIds"])["NetworkInterfaces"]
    assert sorted(i["SubnetId"] for i in enis) == sorted(consumer_net["subnets"])
    assert all(i["InterfaceType"] == "vpc_endpoint" and i["OwnerId"] == CONSUMER for i in enis), enis

    # Accepting again fails for that item only.
    [again] = provider.accept_vpc_endpoint_connections(ServiceId=sid, VpcEndpointIds=[vpce])["Unsuccessful"]
    assert again["ResourceId"] == vpce

    # Live connections keep the service.
    [failed] = provider.delete_vpc_endpoint_service_configurations(ServiceIds=[sid])["Unsuccessful"]
    assert (failed["ResourceId"], failed["Error"]["Code"]) == (sid, "ExistingVpcEndpointConnections")
    assert config(provider, sid)["ServiceId"] == sid

    # The consumer deletes its endpoint; the service can go.
    assert consumer.delete_vpc_endpoints(VpcEndpointIds=[vpce])["Unsuccessful"] == []
    assert wait_until(lambda: all(c["VpcEndpointState"] in ("deleted", "deleting")
                                  for c in connections(provider)))
    assert provider.delete_vpc_endpoint_service_configurations(ServiceIds=[sid])["Unsuccessful"] == []
    assert provider.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"] == []


def test_reject(provider, consumer, service, consumer_net):
    sid = service["ServiceId"]
    vpce = connect(consumer, consumer_net, service["ServiceName"])["VpcEndpointId"]
    assert provider.reject_vpc_endpoint_connections(ServiceId=sid, VpcEndpointIds=[vpce])["Unsuccessful"] == []
    assert wait_until(lambda: state_of(consumer, vpce) == "rejected"), describe_ep(consumer, vpce)
    [conn] = connections(provider)
    assert conn["VpcEndpointState"] == "rejected"
    [bad] = provider.reject_vpc_endpoint_connections(ServiceId=sid, VpcEndpointIds=[MISSING_VPCE])["Unsuccessful"]
    assert bad["ResourceId"] == MISSING_VPCE
    # A rejected endpoint does not hold the service.
    assert provider.delete_vpc_endpoint_service_configurations(ServiceIds=[sid])["Unsuccessful"] == []


def test_endpoint_of_a_service_without_acceptance_is_available_at_once(provider, consumer, stack, consumer_net):
    svc = create_service(provider, stack["lb"]["LoadBalancerArn"], acceptance=False)
    provider.modify_vpc_endpoint_service_permissions(ServiceId=svc["ServiceId"], AddAllowedPrincipals=[CONSUMER_ROOT])
    [detail] = consumer.describe_vpc_endpoint_services(ServiceNames=[svc["ServiceName"]])["ServiceDetails"]
    assert detail["AcceptanceRequired"] is False
    ep = connect(consumer, consumer_net, svc["ServiceName"], subnets=consumer_net["subnets"][:1])
    assert ep["State"] in ("pending", "available")
    assert wait_until(lambda: state_of(consumer, ep["VpcEndpointId"]) == "available")
    [conn] = connections(provider)
    assert conn["VpcEndpointState"] == "available"


def test_principal_removal_keeps_existing_connections(provider, consumer, service, consumer_net):
    sid = service["ServiceId"]
    vpce = connect(consumer, consumer_net, service["ServiceName"])["VpcEndpointId"]
    provider.accept_vpc_endpoint_connections(ServiceId=sid, VpcEndpointIds=[vpce])
    provider.modify_vpc_endpoint_service_permissions(ServiceId=sid, RemoveAllowedPrincipals=[CONSUMER_ROOT])
    # Removing a permission does not break an accepted connection.
    assert state_of(consumer, vpce) == "available"
    assert [c["VpcEndpointId"] for c in connections(provider)] == [vpce]


def test_endpoint_in_a_zone_the_service_does_not_serve(consumer, service):
    net = network(consumer, "10.6.0.0/16", azs=(f"{R}a", f"{R}d"))
    # The NLB has nodes in ap-northeast-1a and -1c; -1d is not offered (spec 3.1 step 4 [OBS]).
    resp = expect_error(connect, consumer, net, service["ServiceName"], code="InvalidParameter")
    assert net["subnets"][1] in resp["Error"]["Message"]
    assert consumer.describe_vpc_endpoints()["VpcEndpoints"] == []
    ep = connect(consumer, net, service["ServiceName"], subnets=net["subnets"][:1])
    assert ep["State"] == "pendingAcceptance"


def test_private_dns_needs_a_verified_name(provider, consumer, stack, consumer_net):
    svc = create_service(provider, stack["lb"]["LoadBalancerArn"], PrivateDnsName="api.example.com")
    sid = svc["ServiceId"]
    provider.modify_vpc_endpoint_service_permissions(ServiceId=sid, AddAllowedPrincipals=[CONSUMER_ROOT])
    assert provider.start_vpc_endpoint_service_private_dns_verification(ServiceId=sid)["ReturnValue"] is True
    # No TXT record is published for example.com: the name stays unverified.
    assert config(provider, sid)["PrivateDnsNameConfiguration"]["State"] in ("pendingVerification", "failed")
    [detail] = consumer.describe_vpc_endpoint_services(ServiceNames=[svc["ServiceName"]])["ServiceDetails"]
    assert detail.get("PrivateDnsNameVerificationState") != "verified", detail
    consumer.modify_vpc_attribute(VpcId=consumer_net["vpc"], EnableDnsHostnames={"Value": True})
    # Spec 5.4: only a verified name lets consumers enable private DNS. AWS-UNCONFIRMED: the code.
    expect_client_error(connect, consumer, consumer_net, svc["ServiceName"], PrivateDnsEnabled=True)
    ep = connect(consumer, consumer_net, svc["ServiceName"], PrivateDnsEnabled=False)
    assert ep["PrivateDnsEnabled"] is False
    assert all(not d["DnsName"].endswith("api.example.com") for d in ep.get("DnsEntries", []))


def test_load_balancers_stay_while_endpoints_are_attached(provider, provider_elb, consumer, service, consumer_net):
    sid = service["ServiceId"]
    first = service["NetworkLoadBalancerArns"][0]
    second = nlb_stack(provider, provider_elb, name="second-nlb", cidr="10.1.0.0/16")["lb"]["LoadBalancerArn"]
    provider.modify_vpc_endpoint_service_configuration(ServiceId=sid, AddNetworkLoadBalancerArns=[second])
    assert sorted(config(provider, sid)["NetworkLoadBalancerArns"]) == sorted([first, second])
    vpce = connect(consumer, consumer_net, service["ServiceName"])["VpcEndpointId"]
    provider.accept_vpc_endpoint_connections(ServiceId=sid, VpcEndpointIds=[vpce])
    # Spec 5.1 [DOC]: no removing load balancers while endpoints are attached.
    expect_error(provider.modify_vpc_endpoint_service_configuration, ServiceId=sid,
                 RemoveNetworkLoadBalancerArns=[second], code="ExistingVpcEndpointConnections")
    assert sorted(config(provider, sid)["NetworkLoadBalancerArns"]) == sorted([first, second])
    consumer.delete_vpc_endpoints(VpcEndpointIds=[vpce])
    provider.modify_vpc_endpoint_service_configuration(ServiceId=sid, RemoveNetworkLoadBalancerArns=[second])
    assert config(provider, sid)["NetworkLoadBalancerArns"] == [first]


# --------------------------------------------------------------------------- notifications


def test_connection_notifications(provider, consumer, service, consumer_net):
    sid = service["ServiceId"]
    resp = provider.create_vpc_endpoint_connection_notification(
        ServiceId=sid, ConnectionNotificationArn=TOPIC, ConnectionEvents=["Connect", "Accept"])
    n = resp["ConnectionNotification"]
    nid = n["ConnectionNotificationId"]
    assert NFN_ID_RE.match(nid), nid
    assert (n["ServiceId"], n["ConnectionNotificationArn"], n["ConnectionNotificationType"],
            n["ConnectionNotificationState"]) == (sid, TOPIC, "Topic", "Enabled")
    assert sorted(n["ConnectionEvents"]) == ["Accept", "Connect"]

    [got] = provider.describe_vpc_endpoint_connection_notifications(
        ConnectionNotificationId=nid)["ConnectionNotificationSet"]
    assert (got["ConnectionNotificationId"], got["ServiceId"]) == (nid, sid)
    listed = provider.describe_vpc_endpoint_connection_notifications(
        Filters=[f("service-id", sid)])["ConnectionNotificationSet"]
    assert [x["ConnectionNotificationId"] for x in listed] == [nid]
    # They are the provider's: the consumer sees none.
    assert consumer.describe_vpc_endpoint_connection_notifications()["ConnectionNotificationSet"] == []

    other_topic = f"arn:aws:sns:{R}:{PROVIDER}:other"
    assert provider.modify_vpc_endpoint_connection_notification(
        ConnectionNotificationId=nid, ConnectionNotificationArn=other_topic,
        ConnectionEvents=["Accept", "Reject", "Delete"])["ReturnValue"] is True
    [got] = provider.describe_vpc_endpoint_connection_notifications(
        ConnectionNotificationId=nid)["ConnectionNotificationSet"]
    assert got["ConnectionNotificationArn"] == other_topic
    assert sorted(got["ConnectionEvents"]) == ["Accept", "Delete", "Reject"]

    # The flow still works with a notification configured.
    vpce = connect(consumer, consumer_net, service["ServiceName"])["VpcEndpointId"]
    provider.accept_vpc_endpoint_connections(ServiceId=sid, VpcEndpointIds=[vpce])

    assert provider.delete_vpc_endpoint_connection_notifications(
        ConnectionNotificationIds=[nid])["Unsuccessful"] == []
    assert provider.describe_vpc_endpoint_connection_notifications()["ConnectionNotificationSet"] == []
    [bad] = provider.delete_vpc_endpoint_connection_notifications(
        ConnectionNotificationIds=[nid])["Unsuccessful"]
    assert bad["ResourceId"] == nid and bad["Error"]["Code"]


def test_connection_notification_validation(provider, service):
    sid = service["ServiceId"]
    create = provider.create_vpc_endpoint_connection_notification
    # AWS-UNCONFIRMED: the exact codes (InvalidParameterValue / InvalidParameter are likely).
    expect_client_error(create, ServiceId=sid, ConnectionNotificationArn="not-an-arn", ConnectionEvents=["Accept"])
    expect_client_error(create, ServiceId=sid, ConnectionNotificationArn=f"arn:aws:sqs:{R}:{PROVIDER}:q",
                        ConnectionEvents=["Accept"])
    expect_client_error(create, ServiceId=sid, ConnectionNotificationArn=TOPIC, ConnectionEvents=["Explode"])
    expect_error(create, ServiceId="vpce-svc-0123456789abcdef0", ConnectionNotificationArn=TOPIC,
                 ConnectionEvents=["Accept"], code="InvalidVpcEndpointServiceId.NotFound")
    assert provider.describe_vpc_endpoint_connection_notifications()["ConnectionNotificationSet"] == []


def test_endpoint_notifications_are_the_consumers(consumer, service, consumer_net):
    vpce = connect(consumer, consumer_net, service["ServiceName"])["VpcEndpointId"]
    topic = f"arn:aws:sns:{R}:{CONSUMER}:my-endpoint"
    n = consumer.create_vpc_endpoint_connection_notification(
        VpcEndpointId=vpce, ConnectionNotificationArn=topic, ConnectionEvents=["Accept", "Reject"])[
        "ConnectionNotification"]
    assert (n["VpcEndpointId"], n["ConnectionNotificationArn"]) == (vpce, topic)
    assert "ServiceId" not in n
    listed = consumer.describe_vpc_endpoint_connection_notifications(
        Filters=[f("vpc-endpoint-id", vpce)])["ConnectionNotificationSet"]
    assert [x["ConnectionNotificationId"] for x in listed] == [n["ConnectionNotificationId"]]
    # Interface endpoints only (spec 5.3). AWS-UNCONFIRMED: the code.
    gw = consumer.create_vpc_endpoint(VpcEndpointType="Gateway", VpcId=consumer_net["vpc"],
                                      ServiceName=f"com.amazonaws.{R}.s3")["VpcEndpoint"]["VpcEndpointId"]
    expect_client_error(consumer.create_vpc_endpoint_connection_notification, VpcEndpointId=gw,
                        ConnectionNotificationArn=topic, ConnectionEvents=["Accept"])


def test_deleting_a_service_removes_its_notifications(provider, stack):
    sid = create_service(provider, stack["lb"]["LoadBalancerArn"])["ServiceId"]
    provider.create_vpc_endpoint_connection_notification(ServiceId=sid, ConnectionNotificationArn=TOPIC,
                                                         ConnectionEvents=["Connect"])
    assert provider.delete_vpc_endpoint_service_configurations(ServiceIds=[sid])["Unsuccessful"] == []
    assert provider.describe_vpc_endpoint_connection_notifications()["ConnectionNotificationSet"] == []


# --------------------------------------------------------------------------- Gateway Load Balancer services


@pytest.fixture
def gwlb_service(provider, provider_elb):
    st = gwlb_stack(provider, provider_elb)
    svc = provider.create_vpc_endpoint_service_configuration(
        GatewayLoadBalancerArns=[st["lb"]["LoadBalancerArn"]], AcceptanceRequired=False)["ServiceConfiguration"]
    provider.modify_vpc_endpoint_service_permissions(ServiceId=svc["ServiceId"], AddAllowedPrincipals=[CONSUMER_ROOT])
    return {**st, "service": svc}


def test_gwlb_service(provider, gwlb_service):
    svc, lb = gwlb_service["service"], gwlb_service["lb"]
    assert svc["ServiceType"] == [{"ServiceType": "GatewayLoadBalancer"}]
    assert svc["GatewayLoadBalancerArns"] == [lb["LoadBalancerArn"]]
    assert not svc.get("NetworkLoadBalancerArns")
    assert svc["AvailabilityZones"] == [f"{R}a"]
    assert svc["ServiceState"] == "Available"
    # No private DNS names for Gateway Load Balancer services (spec 5.4). AWS-UNCONFIRMED: the code.
    expect_client_error(provider.modify_vpc_endpoint_service_configuration, ServiceId=svc["ServiceId"],
                        PrivateDnsName="gw.example.com")
    # A gateway load balancer is not a network load balancer, and the reverse.
    expect_client_error(provider.create_vpc_endpoint_service_configuration,
                        NetworkLoadBalancerArns=[lb["LoadBalancerArn"]])


def test_gwlb_endpoint_as_route_target(provider, consumer, gwlb_service, consumer_net):
    svc = gwlb_service["service"]
    [detail] = consumer.describe_vpc_endpoint_services(ServiceNames=[svc["ServiceName"]])["ServiceDetails"]
    assert detail["ServiceType"] == [{"ServiceType": "GatewayLoadBalancer"}]
    assert detail["VpcEndpointPolicySupported"] is False
    subnet_a = consumer_net["subnets"][0]

    # Exactly one subnet. AWS-UNCONFIRMED: the code (InvalidParameter is likely).
    expect_client_error(consumer.create_vpc_endpoint, VpcEndpointType="GatewayLoadBalancer",
                        VpcId=consumer_net["vpc"], ServiceName=svc["ServiceName"], SubnetIds=consumer_net["subnets"])
    ep = consumer.create_vpc_endpoint(VpcEndpointType="GatewayLoadBalancer", VpcId=consumer_net["vpc"],
                                      ServiceName=svc["ServiceName"], SubnetIds=[subnet_a])["VpcEndpoint"]
    gwlbe = ep["VpcEndpointId"]
    assert ep["VpcEndpointType"] == "GatewayLoadBalancer"
    assert ep["SubnetIds"] == [subnet_a]
    assert wait_until(lambda: state_of(consumer, gwlbe) == "available"), describe_ep(consumer, gwlbe)
    e = describe_ep(consumer, gwlbe)
    # No DNS entries, no security groups, no policy.
    assert e.get("DnsEntries", []) == [] and e.get("Groups", []) == [], e
    assert "PolicyDocument" not in e, e
    [eni] = consumer.describe_network_interfaces(NetworkInterfaceIds=e["NetworkInterfaceIds"])["NetworkInterfaces"]
    assert (eni["InterfaceType"], eni["SubnetId"], eni["RequesterManaged"]) == \
        ("gateway_load_balancer_endpoint", subnet_a, True), eni
    [conn] = connections(provider)
    assert (conn["VpcEndpointId"], conn["VpcEndpointState"]) == (gwlbe, "available")
    assert conn["GatewayLoadBalancerArns"] == svc["GatewayLoadBalancerArns"]

    # As a route target: the app subnet's default route through the appliance endpoint.
    rtb = consumer.create_route_table(VpcId=consumer_net["vpc"])["RouteTable"]["RouteTableId"]
    assert consumer.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0",
                                 VpcEndpointId=gwlbe)["Return"] is True
    [route] = [r for r in consumer.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
               if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert (route["GatewayId"], route["State"], route["Origin"]) == (gwlbe, "active", "CreateRoute"), route

    # Still a route target: the endpoint stays (spec 4 [MODEL]).
    [failed] = consumer.delete_vpc_endpoints(VpcEndpointIds=[gwlbe])["Unsuccessful"]
    assert failed["ResourceId"] == gwlbe and failed["Error"]["Code"], failed
    assert state_of(consumer, gwlbe) == "available"

    consumer.delete_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0")
    assert consumer.delete_vpc_endpoints(VpcEndpointIds=[gwlbe])["Unsuccessful"] == []
    assert consumer.describe_network_interfaces(
        Filters=[f("vpc-id", consumer_net["vpc"]), f("interface-type", "gateway_load_balancer_endpoint")]
    )["NetworkInterfaces"] == []


def test_only_gwlb_endpoints_are_route_targets(consumer, consumer_net, service):
    """CreateRoute VpcEndpointId= takes only Gateway Load Balancer endpoints (spec 4)."""
    rtb = consumer.create_route_table(VpcId=consumer_net["vpc"])["RouteTable"]["RouteTableId"]
    s3 = consumer.create_vpc_endpoint(VpcEndpointType="Gateway", VpcId=consumer_net["vpc"],
                                      ServiceName=f"com.amazonaws.{R}.s3")["VpcEndpoint"]["VpcEndpointId"]
    iface = connect(consumer, consumer_net, service["ServiceName"])["VpcEndpointId"]
    for vpce in (s3, iface):
        # AWS-UNCONFIRMED: the code (InvalidParameter / InvalidVpcEndpointId... ).
        expect_client_error(consumer.create_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0",
                            VpcEndpointId=vpce)
    routes = consumer.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
    assert [r["GatewayId"] for r in routes] == ["local"]


def test_gwlb_endpoint_in_an_unserved_zone(consumer, gwlb_service, consumer_net):
    # The service runs in ap-northeast-1a only. Spec 3.1 [OBS]: InvalidParameter "The VPC endpoint
    # service ... does not support the availability zone of the subnet: subnet-...".
    resp = expect_error(consumer.create_vpc_endpoint, VpcEndpointType="GatewayLoadBalancer",
                        VpcId=consumer_net["vpc"], ServiceName=gwlb_service["service"]["ServiceName"],
                        SubnetIds=[consumer_net["subnets"][1]], code="InvalidParameter")
    assert consumer_net["subnets"][1] in resp["Error"]["Message"]
    assert consumer.describe_vpc_endpoints()["VpcEndpoints"] == []


def test_gwlb_service_needs_permission_too(provider, consumer, provider_elb, consumer_net):
    st = gwlb_stack(provider, provider_elb, name="private-gw")
    svc = provider.create_vpc_endpoint_service_configuration(
        GatewayLoadBalancerArns=[st["lb"]["LoadBalancerArn"]], AcceptanceRequired=True)["ServiceConfiguration"]
    expect_error(consumer.create_vpc_endpoint, VpcEndpointType="GatewayLoadBalancer", VpcId=consumer_net["vpc"],
                 ServiceName=svc["ServiceName"], SubnetIds=consumer_net["subnets"][:1], code="InvalidServiceName")
    provider.modify_vpc_endpoint_service_permissions(ServiceId=svc["ServiceId"], AddAllowedPrincipals=[CONSUMER_ROOT])
    ep = consumer.create_vpc_endpoint(VpcEndpointType="GatewayLoadBalancer", VpcId=consumer_net["vpc"],
                                      ServiceName=svc["ServiceName"],
                                      SubnetIds=consumer_net["subnets"][:1])["VpcEndpoint"]
    assert ep["State"] == "pendingAcceptance"
    provider.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[ep["VpcEndpointId"]])
    assert wait_until(lambda: state_of(consumer, ep["VpcEndpointId"]) == "available")

#!/usr/bin/env bash
# Scenario 3 with the aws CLI: a centralised S3 interface endpoint in a hub account.
#
#   hub account (HUBKEY -> 111111111111), VPC 10.0.0.0/16:
#     S3 interface endpoint with private DNS OFF in two AZs; a private hosted zone
#     s3.ap-northeast-1.amazonaws.com whose apex and wildcard are aliases of the endpoint's
#     regional name; a Route 53 Resolver inbound endpoint for on-premises DNS forwarders; a
#     site-to-site VPN (customer gateway + virtual private gateway) to on-premises 192.168.0.0/16
#   member account (MEMBERKEY -> 222222222222), VPC 10.1.0.0/16:
#     associated with the hub's zone (authorisation by the hub, association by the member),
#     connected to the hub by VPC peering, and an instance whose S3 traffic goes to the hub
#
#   bash examples/3-centralised-s3-endpoint/cli.sh             # create, print, check, DNS answers
#   CONNECTIVITY=tgw bash examples/3-centralised-s3-endpoint/cli.sh   # transit gateway variant
#   bash examples/3-centralised-s3-endpoint/cli.sh destroy     # delete everything it created
#
# The transit-gateway variant joins the two VPCs with a transit gateway instead of peering. In
# AWS a member account can attach its VPC only after the hub shares the gateway through AWS RAM,
# which localvpc does not model, so in that variant the "member" VPC lives in the hub account
# (same-account zone association, no authorisation needed).
set -euo pipefail

ENDPOINT=${LOCALVPC_ENDPOINT:-http://127.0.0.1:4566}
REGION=ap-northeast-1
STATE=${STATE_FILE:-${TMPDIR:-/tmp}/localvpc-example-3-cli.env}
EXAMPLE=3-centralised-s3-endpoint
CONNECTIVITY=${CONNECTIVITY:-peering}
HUB_KEY=${HUB_ACCESS_KEY:-HUBKEY}
MEMBER_KEY=${MEMBER_ACCESS_KEY:-MEMBERKEY}
[ "$CONNECTIVITY" = peering ] || [ "$CONNECTIVITY" = tgw ] || { echo "CONNECTIVITY is peering or tgw" >&2; exit 2; }
[ "$CONNECTIVITY" = peering ] || MEMBER_KEY=$HUB_KEY
S3_ZONE=s3.$REGION.amazonaws.com
ONPREM_CIDR=192.168.0.0/16
export AWS_SECRET_ACCESS_KEY=test AWS_PAGER=""

# One function per account: the access key selects the account.
hub() { AWS_ACCESS_KEY_ID=$HUB_KEY aws --endpoint-url "$ENDPOINT" --region "$REGION" --output text "$@"; }
member() { AWS_ACCESS_KEY_ID=$MEMBER_KEY aws --endpoint-url "$ENDPOINT" --region "$REGION" --output text "$@"; }
tags() { echo "ResourceType=$1,Tags=[{Key=Name,Value=$2},{Key=Example,Value=$EXAMPLE}]"; }
save() { printf '%s=%q\n' "$1" "$2" >>"$STATE"; printf '  %-22s %s\n' "$1" "$2"; }
check() { # check DESCRIPTION ACTUAL EXPECTED
  if [ "$2" = "$3" ]; then echo "  ok   $1"; else echo "  FAIL $1: got '$2', expected '$3'" >&2; exit 1; fi
}
wait_for() { # wait_for DESCRIPTION EXPECTED COMMAND...
  local what=$1 want=$2 got=""; shift 2
  for _ in $(seq 300); do got=$("$@"); [ "$got" = "$want" ] && return 0; sleep 1; done
  echo "timed out waiting for $what (last: $got)" >&2; exit 1
}
alias_change() { # alias_change ACTION NAME -> a Route 53 change batch for an alias A record
  printf '{"Changes":[{"Action":"%s","ResourceRecordSet":{"Name":"%s","Type":"A","AliasTarget":{"HostedZoneId":"%s","DNSName":"%s","EvaluateTargetHealth":false}}}]}' \
    "$1" "$2" "$VPCE_ZONE_ID" "$VPCE_DNS_NAME"
}

destroy() {
  [ -f "$STATE" ] || { echo "nothing to destroy ($STATE not found)"; return; }
  # shellcheck disable=SC1090
  source "$STATE"
  echo "Deleting scenario 3 ($CONNECTIVITY) from $ENDPOINT"
  if [ -n "${APP_INSTANCE_ID:-}" ]; then
    member ec2 terminate-instances --instance-ids "$APP_INSTANCE_ID" >/dev/null
    member ec2 wait instance-terminated --instance-ids "$APP_INSTANCE_ID"
  fi
  # DNS: the member's association and its authorisation, the records, the zone.
  if [ -n "${ZONE_ID:-}" ]; then
    [ -z "${ZONE_ASSOCIATED:-}" ] || member route53 disassociate-vpc-from-hosted-zone --hosted-zone-id "$ZONE_ID" \
      --vpc "VPCRegion=$REGION,VPCId=$MEMBER_VPC_ID" >/dev/null
    [ -z "${ZONE_AUTHORIZED:-}" ] || hub route53 delete-vpc-association-authorization --hosted-zone-id "$ZONE_ID" \
      --vpc "VPCRegion=$REGION,VPCId=$MEMBER_VPC_ID"
    if [ -n "${RECORDS:-}" ]; then
      hub route53 change-resource-record-sets --hosted-zone-id "$ZONE_ID" --change-batch "$(alias_change DELETE "$S3_ZONE")" >/dev/null
      hub route53 change-resource-record-sets --hosted-zone-id "$ZONE_ID" --change-batch "$(alias_change DELETE "*.$S3_ZONE")" >/dev/null
    fi
    hub route53 delete-hosted-zone --id "$ZONE_ID" >/dev/null
  fi
  if [ -n "${RESOLVER_ENDPOINT_ID:-}" ]; then
    hub route53resolver delete-resolver-endpoint --resolver-endpoint-id "$RESOLVER_ENDPOINT_ID" >/dev/null
    wait_for "the resolver endpoint to go" 0 hub route53resolver list-resolver-endpoints \
      --query "length(ResolverEndpoints[?Id=='$RESOLVER_ENDPOINT_ID'])"
  fi
  # On-premises: propagation, the VPN, the gateways.
  [ -z "${PROPAGATING:-}" ] || hub ec2 disable-vgw-route-propagation --gateway-id "$VGW_ID" --route-table-id "$HUB_RTB_ID"
  if [ -n "${VPN_ID:-}" ]; then
    hub ec2 delete-vpn-connection --vpn-connection-id "$VPN_ID"
    wait_for "the VPN connection to be deleted" deleted \
      hub ec2 describe-vpn-connections --vpn-connection-ids "$VPN_ID" --query 'VpnConnections[0].State'
  fi
  if [ -n "${VGW_ATTACHED:-}" ]; then
    hub ec2 detach-vpn-gateway --vpn-gateway-id "$VGW_ID" --vpc-id "$HUB_VPC_ID"
    wait_for "the VPN gateway to detach" detached hub ec2 describe-vpn-gateways --vpn-gateway-ids "$VGW_ID" \
      --query "VpnGateways[0].VpcAttachments[?VpcId=='$HUB_VPC_ID'].State | [0]"
  fi
  [ -z "${VGW_ID:-}" ] || hub ec2 delete-vpn-gateway --vpn-gateway-id "$VGW_ID"
  [ -z "${CGW_ID:-}" ] || hub ec2 delete-customer-gateway --customer-gateway-id "$CGW_ID"
  # Hub <-> member connectivity.
  [ -z "${HUB_ROUTE:-}" ] || hub ec2 delete-route --route-table-id "$HUB_RTB_ID" --destination-cidr-block 10.1.0.0/16
  [ -z "${MEMBER_ROUTE:-}" ] || member ec2 delete-route --route-table-id "$MEMBER_RTB_ID" --destination-cidr-block 10.0.0.0/16
  [ -z "${PCX_ID:-}" ] || member ec2 delete-vpc-peering-connection --vpc-peering-connection-id "$PCX_ID" >/dev/null
  for att in "${MEMBER_ATTACHMENT_ID:-}" "${HUB_ATTACHMENT_ID:-}"; do
    [ -z "$att" ] || hub ec2 delete-transit-gateway-vpc-attachment --transit-gateway-attachment-id "$att" >/dev/null
  done
  for att in "${MEMBER_ATTACHMENT_ID:-}" "${HUB_ATTACHMENT_ID:-}"; do
    [ -z "$att" ] || wait_for "the attachment $att to be deleted" deleted hub ec2 describe-transit-gateway-vpc-attachments \
      --transit-gateway-attachment-ids "$att" --query 'TransitGatewayVpcAttachments[0].State'
  done
  [ -z "${TGW_ID:-}" ] || hub ec2 delete-transit-gateway --transit-gateway-id "$TGW_ID" >/dev/null
  # The endpoint, then the networks.
  [ -z "${S3_ENDPOINT_ID:-}" ] || hub ec2 delete-vpc-endpoints --vpc-endpoint-ids "$S3_ENDPOINT_ID" >/dev/null
  [ -z "${HUB_VPC_ID:-}" ] || wait_for "the hub's ENIs to go" 0 hub ec2 describe-network-interfaces \
    --filters "Name=vpc-id,Values=$HUB_VPC_ID" --query 'length(NetworkInterfaces)'
  for sg in "${RESOLVER_SG_ID:-}" "${ENDPOINT_SG_ID:-}"; do
    [ -z "$sg" ] || hub ec2 delete-security-group --group-id "$sg" >/dev/null
  done
  [ -z "${HUB_RTB_ASSOC_A:-}" ] || hub ec2 disassociate-route-table --association-id "$HUB_RTB_ASSOC_A"
  [ -z "${HUB_RTB_ASSOC_C:-}" ] || hub ec2 disassociate-route-table --association-id "$HUB_RTB_ASSOC_C"
  [ -z "${HUB_RTB_ID:-}" ] || hub ec2 delete-route-table --route-table-id "$HUB_RTB_ID"
  [ -z "${HUB_SUBNET_A_ID:-}" ] || hub ec2 delete-subnet --subnet-id "$HUB_SUBNET_A_ID"
  [ -z "${HUB_SUBNET_C_ID:-}" ] || hub ec2 delete-subnet --subnet-id "$HUB_SUBNET_C_ID"
  [ -z "${HUB_VPC_ID:-}" ] || hub ec2 delete-vpc --vpc-id "$HUB_VPC_ID"
  [ -z "${MEMBER_RTB_ASSOC:-}" ] || member ec2 disassociate-route-table --association-id "$MEMBER_RTB_ASSOC"
  [ -z "${MEMBER_RTB_ID:-}" ] || member ec2 delete-route-table --route-table-id "$MEMBER_RTB_ID"
  [ -z "${MEMBER_SUBNET_ID:-}" ] || member ec2 delete-subnet --subnet-id "$MEMBER_SUBNET_ID"
  [ -z "${MEMBER_VPC_ID:-}" ] || member ec2 delete-vpc --vpc-id "$MEMBER_VPC_ID"
  rm -f "$STATE"
  echo "deleted"
}

case "${1:-create}" in
  destroy | cleanup | --destroy) destroy; exit 0 ;;
  create) ;;
  *) echo "usage: [CONNECTIVITY=peering|tgw] $0 [create|destroy]" >&2; exit 2 ;;
esac
[ ! -f "$STATE" ] || { echo "$STATE exists: run '$0 destroy' first" >&2; exit 1; }
: >"$STATE"
save CONNECTIVITY "$CONNECTIVITY"

echo "Scenario 3: centralised S3 interface endpoint, member connected by $CONNECTIVITY ($ENDPOINT)"
HUB_ACCOUNT=$(hub sts get-caller-identity --query Account)
MEMBER_ACCOUNT=$(member sts get-caller-identity --query Account)
echo "  hub account $HUB_ACCOUNT, member VPC in account $MEMBER_ACCOUNT"

# --- Hub: 1. the VPC (both DNS attributes on), two subnets in two AZs, one route table -------
HUB_VPC_ID=$(hub ec2 create-vpc --cidr-block 10.0.0.0/16 --tag-specifications "$(tags vpc hub-vpc)" --query Vpc.VpcId)
save HUB_VPC_ID "$HUB_VPC_ID"
hub ec2 modify-vpc-attribute --vpc-id "$HUB_VPC_ID" --enable-dns-support '{"Value":true}'
hub ec2 modify-vpc-attribute --vpc-id "$HUB_VPC_ID" --enable-dns-hostnames '{"Value":true}'
HUB_SUBNET_A_ID=$(hub ec2 create-subnet --vpc-id "$HUB_VPC_ID" --cidr-block 10.0.1.0/24 \
  --availability-zone ap-northeast-1a --tag-specifications "$(tags subnet hub-a)" --query Subnet.SubnetId)
save HUB_SUBNET_A_ID "$HUB_SUBNET_A_ID"
HUB_SUBNET_C_ID=$(hub ec2 create-subnet --vpc-id "$HUB_VPC_ID" --cidr-block 10.0.2.0/24 \
  --availability-zone ap-northeast-1c --tag-specifications "$(tags subnet hub-c)" --query Subnet.SubnetId)
save HUB_SUBNET_C_ID "$HUB_SUBNET_C_ID"
HUB_RTB_ID=$(hub ec2 create-route-table --vpc-id "$HUB_VPC_ID" --tag-specifications "$(tags route-table hub-rt)" \
  --query RouteTable.RouteTableId)
save HUB_RTB_ID "$HUB_RTB_ID"
save HUB_RTB_ASSOC_A "$(hub ec2 associate-route-table --route-table-id "$HUB_RTB_ID" --subnet-id "$HUB_SUBNET_A_ID" --query AssociationId)"
save HUB_RTB_ASSOC_C "$(hub ec2 associate-route-table --route-table-id "$HUB_RTB_ID" --subnet-id "$HUB_SUBNET_C_ID" --query AssociationId)"

# --- Hub: 2. the S3 interface endpoint, private DNS OFF, HTTPS from members and on-premises ---
# (With private DNS on, AWS's hidden zone would serve only the hub VPC and would block our own
# zone of the same name there.)
ENDPOINT_SG_ID=$(hub ec2 create-security-group --vpc-id "$HUB_VPC_ID" --group-name s3-endpoint \
  --description "HTTPS to the S3 endpoint from the VPCs and on-premises" \
  --tag-specifications "$(tags security-group hub-s3-endpoint-sg)" --query GroupId)
save ENDPOINT_SG_ID "$ENDPOINT_SG_ID"
hub ec2 authorize-security-group-ingress --group-id "$ENDPOINT_SG_ID" --ip-permissions \
  "IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=10.0.0.0/8,Description=VPCs},{CidrIp=$ONPREM_CIDR,Description=on-premises}]" \
  >/dev/null
S3_ENDPOINT_ID=$(hub ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id "$HUB_VPC_ID" \
  --service-name "com.amazonaws.$REGION.s3" --subnet-ids "$HUB_SUBNET_A_ID" "$HUB_SUBNET_C_ID" \
  --security-group-ids "$ENDPOINT_SG_ID" --no-private-dns-enabled \
  --tag-specifications "$(tags vpc-endpoint hub-s3-endpoint)" --query VpcEndpoint.VpcEndpointId)
save S3_ENDPOINT_ID "$S3_ENDPOINT_ID"
# DnsEntries[0] is the regional name, vpce-<id>-<suffix>.s3.ap-northeast-1.vpce.amazonaws.com.
VPCE_DNS_NAME=$(hub ec2 describe-vpc-endpoints --vpc-endpoint-ids "$S3_ENDPOINT_ID" --query 'VpcEndpoints[0].DnsEntries[0].DnsName')
VPCE_ZONE_ID=$(hub ec2 describe-vpc-endpoints --vpc-endpoint-ids "$S3_ENDPOINT_ID" --query 'VpcEndpoints[0].DnsEntries[0].HostedZoneId')
save VPCE_DNS_NAME "$VPCE_DNS_NAME"
save VPCE_ZONE_ID "$VPCE_ZONE_ID"

# --- Hub: 3. the private hosted zone named exactly like the service, aliases to the endpoint ---
ZONE_ID=$(hub route53 create-hosted-zone --name "$S3_ZONE" --caller-reference "example-3-$(date +%s%N)" \
  --vpc "VPCRegion=$REGION,VPCId=$HUB_VPC_ID" \
  --hosted-zone-config "Comment=S3 through the hub interface endpoint,PrivateZone=true" \
  --query HostedZone.Id)
ZONE_ID=${ZONE_ID#/hostedzone/}
save ZONE_ID "$ZONE_ID"
# The apex (s3.ap-northeast-1.amazonaws.com) and the wildcard (bucket.s3.ap-northeast-1...).
hub route53 change-resource-record-sets --hosted-zone-id "$ZONE_ID" --change-batch "$(alias_change CREATE "$S3_ZONE")" >/dev/null
hub route53 change-resource-record-sets --hosted-zone-id "$ZONE_ID" --change-batch "$(alias_change CREATE "*.$S3_ZONE")" >/dev/null
save RECORDS yes

# --- Member: 4. the member VPC, a subnet and a route table --------------------------------------
MEMBER_VPC_ID=$(member ec2 create-vpc --cidr-block 10.1.0.0/16 --tag-specifications "$(tags vpc member-vpc)" --query Vpc.VpcId)
save MEMBER_VPC_ID "$MEMBER_VPC_ID"
member ec2 modify-vpc-attribute --vpc-id "$MEMBER_VPC_ID" --enable-dns-support '{"Value":true}'
member ec2 modify-vpc-attribute --vpc-id "$MEMBER_VPC_ID" --enable-dns-hostnames '{"Value":true}'
MEMBER_SUBNET_ID=$(member ec2 create-subnet --vpc-id "$MEMBER_VPC_ID" --cidr-block 10.1.1.0/24 \
  --availability-zone ap-northeast-1a --tag-specifications "$(tags subnet member-a)" --query Subnet.SubnetId)
save MEMBER_SUBNET_ID "$MEMBER_SUBNET_ID"
MEMBER_RTB_ID=$(member ec2 create-route-table --vpc-id "$MEMBER_VPC_ID" --tag-specifications "$(tags route-table member-rt)" \
  --query RouteTable.RouteTableId)
save MEMBER_RTB_ID "$MEMBER_RTB_ID"
save MEMBER_RTB_ASSOC "$(member ec2 associate-route-table --route-table-id "$MEMBER_RTB_ID" --subnet-id "$MEMBER_SUBNET_ID" --query AssociationId)"

# --- 5. The member VPC uses the hub's zone ----------------------------------------------------
if [ "$CONNECTIVITY" = peering ]; then
  # Cross-account: the zone owner authorises the VPC, then the VPC owner associates it.
  hub route53 create-vpc-association-authorization --hosted-zone-id "$ZONE_ID" \
    --vpc "VPCRegion=$REGION,VPCId=$MEMBER_VPC_ID" >/dev/null
  save ZONE_AUTHORIZED yes
fi
member route53 associate-vpc-with-hosted-zone --hosted-zone-id "$ZONE_ID" \
  --vpc "VPCRegion=$REGION,VPCId=$MEMBER_VPC_ID" >/dev/null
save ZONE_ASSOCIATED yes

# --- 6. The member reaches the hub's endpoint: VPC peering, or a transit gateway --------------
if [ "$CONNECTIVITY" = peering ]; then
  PCX_ID=$(member ec2 create-vpc-peering-connection --vpc-id "$MEMBER_VPC_ID" --peer-vpc-id "$HUB_VPC_ID" \
    --peer-owner-id "$HUB_ACCOUNT" --tag-specifications "$(tags vpc-peering-connection member-to-hub)" \
    --query VpcPeeringConnection.VpcPeeringConnectionId)
  save PCX_ID "$PCX_ID"
  hub ec2 accept-vpc-peering-connection --vpc-peering-connection-id "$PCX_ID" >/dev/null
  wait_for "the peering to become active" active hub ec2 describe-vpc-peering-connections \
    --vpc-peering-connection-ids "$PCX_ID" --query 'VpcPeeringConnections[0].Status.Code'
  hub ec2 create-route --route-table-id "$HUB_RTB_ID" --destination-cidr-block 10.1.0.0/16 \
    --vpc-peering-connection-id "$PCX_ID" >/dev/null
  save HUB_ROUTE yes
  member ec2 create-route --route-table-id "$MEMBER_RTB_ID" --destination-cidr-block 10.0.0.0/16 \
    --vpc-peering-connection-id "$PCX_ID" >/dev/null
  save MEMBER_ROUTE yes
else
  TGW_ID=$(hub ec2 create-transit-gateway --description "hub for the centralised endpoints" \
    --tag-specifications "$(tags transit-gateway hub-tgw)" --query TransitGateway.TransitGatewayId)
  save TGW_ID "$TGW_ID"
  wait_for "the transit gateway" available hub ec2 describe-transit-gateways --transit-gateway-ids "$TGW_ID" \
    --query 'TransitGateways[0].State'
  HUB_ATTACHMENT_ID=$(hub ec2 create-transit-gateway-vpc-attachment --transit-gateway-id "$TGW_ID" \
    --vpc-id "$HUB_VPC_ID" --subnet-ids "$HUB_SUBNET_A_ID" "$HUB_SUBNET_C_ID" \
    --tag-specifications "$(tags transit-gateway-attachment hub-attachment)" \
    --query TransitGatewayVpcAttachment.TransitGatewayAttachmentId)
  save HUB_ATTACHMENT_ID "$HUB_ATTACHMENT_ID"
  MEMBER_ATTACHMENT_ID=$(member ec2 create-transit-gateway-vpc-attachment --transit-gateway-id "$TGW_ID" \
    --vpc-id "$MEMBER_VPC_ID" --subnet-ids "$MEMBER_SUBNET_ID" \
    --tag-specifications "$(tags transit-gateway-attachment member-attachment)" \
    --query TransitGatewayVpcAttachment.TransitGatewayAttachmentId)
  save MEMBER_ATTACHMENT_ID "$MEMBER_ATTACHMENT_ID"
  for att in "$HUB_ATTACHMENT_ID" "$MEMBER_ATTACHMENT_ID"; do
    wait_for "the attachment $att" available hub ec2 describe-transit-gateway-vpc-attachments \
      --transit-gateway-attachment-ids "$att" --query 'TransitGatewayVpcAttachments[0].State'
  done
  hub ec2 create-route --route-table-id "$HUB_RTB_ID" --destination-cidr-block 10.1.0.0/16 \
    --transit-gateway-id "$TGW_ID" >/dev/null
  save HUB_ROUTE yes
  member ec2 create-route --route-table-id "$MEMBER_RTB_ID" --destination-cidr-block 10.0.0.0/16 \
    --transit-gateway-id "$TGW_ID" >/dev/null
  save MEMBER_ROUTE yes
fi

# --- Hub: 7. the inbound Resolver endpoint that on-premises DNS forwards S3 names to ----------
RESOLVER_SG_ID=$(hub ec2 create-security-group --vpc-id "$HUB_VPC_ID" --group-name resolver-inbound \
  --description "DNS from on-premises to the inbound resolver endpoint" \
  --tag-specifications "$(tags security-group hub-resolver-sg)" --query GroupId)
save RESOLVER_SG_ID "$RESOLVER_SG_ID"
hub ec2 authorize-security-group-ingress --group-id "$RESOLVER_SG_ID" --ip-permissions \
  "IpProtocol=udp,FromPort=53,ToPort=53,IpRanges=[{CidrIp=$ONPREM_CIDR}]" \
  "IpProtocol=tcp,FromPort=53,ToPort=53,IpRanges=[{CidrIp=$ONPREM_CIDR}]" >/dev/null
RESOLVER_ENDPOINT_ID=$(hub route53resolver create-resolver-endpoint --name hub-inbound --direction INBOUND \
  --creator-request-id "example-3-$(date +%s%N)" --security-group-ids "$RESOLVER_SG_ID" \
  --ip-addresses "SubnetId=$HUB_SUBNET_A_ID,Ip=10.0.1.53" "SubnetId=$HUB_SUBNET_C_ID,Ip=10.0.2.53" \
  --tags Key=Name,Value=hub-inbound "Key=Example,Value=$EXAMPLE" --query ResolverEndpoint.Id)
save RESOLVER_ENDPOINT_ID "$RESOLVER_ENDPOINT_ID"

# --- Hub: 8. on-premises 192.168.0.0/16 over a site-to-site VPN --------------------------------
CGW_ID=$(hub ec2 create-customer-gateway --type ipsec.1 --public-ip 203.0.113.10 --bgp-asn 65000 \
  --tag-specifications "$(tags customer-gateway onprem-cgw)" --query CustomerGateway.CustomerGatewayId)
save CGW_ID "$CGW_ID"
VGW_ID=$(hub ec2 create-vpn-gateway --type ipsec.1 --amazon-side-asn 64512 \
  --tag-specifications "$(tags vpn-gateway hub-vgw)" --query VpnGateway.VpnGatewayId)
save VGW_ID "$VGW_ID"
hub ec2 attach-vpn-gateway --vpn-gateway-id "$VGW_ID" --vpc-id "$HUB_VPC_ID" >/dev/null
save VGW_ATTACHED yes
wait_for "the VPN gateway to attach" attached hub ec2 describe-vpn-gateways --vpn-gateway-ids "$VGW_ID" \
  --query "VpnGateways[0].VpcAttachments[?VpcId=='$HUB_VPC_ID'].State | [0]"
VPN_ID=$(hub ec2 create-vpn-connection --type ipsec.1 --customer-gateway-id "$CGW_ID" --vpn-gateway-id "$VGW_ID" \
  --options StaticRoutesOnly=true --tag-specifications "$(tags vpn-connection onprem-vpn)" \
  --query VpnConnection.VpnConnectionId)
save VPN_ID "$VPN_ID"
hub ec2 create-vpn-connection-route --vpn-connection-id "$VPN_ID" --destination-cidr-block "$ONPREM_CIDR"
# The hub's route table learns 192.168.0.0/16 -> vgw from the gateway (route propagation).
hub ec2 enable-vgw-route-propagation --gateway-id "$VGW_ID" --route-table-id "$HUB_RTB_ID"
save PROPAGATING yes

# --- Member: 9. the workload: one instance in member-a (Amazon Linux 2023, no public address) --
# Its S3 names resolve to the hub endpoint's ENIs (the zone), the route to 10.0.0.0/16 takes
# it to the hub, and the endpoint's group admits 10.0.0.0/8 on 443. It has the member VPC's
# default security group, which allows all outbound traffic.
AMI_ID=$(member ec2 describe-images --owners amazon --filters "Name=name,Values=al2023-ami-2023*-x86_64" \
  --query 'sort_by(Images, &CreationDate)[-1].ImageId')
APP_INSTANCE_ID=$(member ec2 run-instances --image-id "$AMI_ID" --instance-type t3.micro --subnet-id "$MEMBER_SUBNET_ID" \
  --tag-specifications "$(tags instance member-app)" --query 'Instances[0].InstanceId')
save APP_INSTANCE_ID "$APP_INSTANCE_ID"
member ec2 wait instance-running --instance-ids "$APP_INSTANCE_ID"

echo
echo "The zone's records (the apex and the wildcard are aliases of the endpoint's regional name):"
hub route53 list-resource-record-sets --hosted-zone-id "$ZONE_ID" \
  --query 'ResourceRecordSets[].[Name,Type,AliasTarget.DNSName]'
echo "VPCs associated with the zone:"
hub route53 get-hosted-zone --id "$ZONE_ID" --query 'VPCs[].[VPCId,VPCRegion]'
echo "The endpoint's ENIs (what S3 names resolve to, in the member VPC and from on-premises):"
hub ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$HUB_VPC_ID" "Name=interface-type,Values=vpc_endpoint" \
  --query 'NetworkInterfaces[].[AvailabilityZone,PrivateIpAddress]'
echo "The inbound resolver endpoint (point the on-premises forwarder for $S3_ZONE here):"
hub route53resolver list-resolver-endpoint-ip-addresses --resolver-endpoint-id "$RESOLVER_ENDPOINT_ID" \
  --query 'IpAddresses[].[SubnetId,Ip]'
echo "Hub route table:"
hub ec2 describe-route-tables --route-table-ids "$HUB_RTB_ID" \
  --query 'RouteTables[0].Routes[].[DestinationCidrBlock,GatewayId||VpcPeeringConnectionId||TransitGatewayId,Origin]'
echo "Member route table:"
member ec2 describe-route-tables --route-table-ids "$MEMBER_RTB_ID" \
  --query 'RouteTables[0].Routes[].[DestinationCidrBlock,GatewayId||VpcPeeringConnectionId||TransitGatewayId,Origin]'

echo
echo "Checks:"
check "the S3 endpoint is available, private DNS off, in two subnets" \
  "$(hub ec2 describe-vpc-endpoints --vpc-endpoint-ids "$S3_ENDPOINT_ID" \
     --query 'VpcEndpoints[0].[State,PrivateDnsEnabled,length(SubnetIds)]')" \
  "$(printf 'available\tFalse\t2')"
# Route 53 returns names fully qualified, with a leading * as \052.
ESCAPED=${VPCE_DNS_NAME/#\*/\\052}
check "apex and wildcard alias the endpoint's regional name" \
  "$(hub route53 list-resource-record-sets --hosted-zone-id "$ZONE_ID" \
     --query "ResourceRecordSets[?Type=='A'].[Name,AliasTarget.DNSName,AliasTarget.HostedZoneId]")" \
  "$(printf '%s.\t%s.\t%s\n\\052.%s.\t%s.\t%s' "$S3_ZONE" "$ESCAPED" "$VPCE_ZONE_ID" "$S3_ZONE" "$ESCAPED" "$VPCE_ZONE_ID")"
check "the zone is private and associated with both VPCs" \
  "$(hub route53 get-hosted-zone --id "$ZONE_ID" --query 'join(`,`, sort(VPCs[].VPCId))')" \
  "$(printf '%s\n' "$HUB_VPC_ID" "$MEMBER_VPC_ID" | sort | paste -sd,)"
check "the member account lists the zone for its VPC" \
  "$(member route53 list-hosted-zones-by-vpc --vpc-id "$MEMBER_VPC_ID" --vpc-region "$REGION" \
     --query 'HostedZoneSummaries[].[HostedZoneId,Name,Owner.OwningAccount]')" \
  "$(printf '%s\t%s.\t%s' "$ZONE_ID" "$S3_ZONE" "$HUB_ACCOUNT")"
check "hub route to the member VPC is active" \
  "$(hub ec2 describe-route-tables --route-table-ids "$HUB_RTB_ID" \
     --query "RouteTables[0].Routes[?DestinationCidrBlock=='10.1.0.0/16'].State | [0]")" \
  "active"
check "member route to the hub VPC is active" \
  "$(member ec2 describe-route-tables --route-table-ids "$MEMBER_RTB_ID" \
     --query "RouteTables[0].Routes[?DestinationCidrBlock=='10.0.0.0/16'].State | [0]")" \
  "active"
check "on-premises is routed to the VPN gateway (propagated)" \
  "$(hub ec2 describe-route-tables --route-table-ids "$HUB_RTB_ID" \
     --query "RouteTables[0].Routes[?DestinationCidrBlock=='$ONPREM_CIDR'].[GatewayId,Origin] | [0]")" \
  "$(printf '%s\tEnableVgwRoutePropagation' "$VGW_ID")"
check "the VPN connection has the static route to on-premises" \
  "$(hub ec2 describe-vpn-connections --vpn-connection-ids "$VPN_ID" \
     --query 'VpnConnections[0].[Options.StaticRoutesOnly,Routes[0].DestinationCidrBlock]')" \
  "$(printf 'True\t%s' "$ONPREM_CIDR")"
check "the member's instance runs in member-a" \
  "$(member ec2 describe-instances --instance-ids "$APP_INSTANCE_ID" \
     --query 'Reservations[0].Instances[0].[State.Name,SubnetId,InstanceType]')" \
  "$(printf 'running\t%s\tt3.micro' "$MEMBER_SUBNET_ID")"
check "the inbound resolver endpoint is operational with two IPs" \
  "$(hub route53resolver get-resolver-endpoint --resolver-endpoint-id "$RESOLVER_ENDPOINT_ID" \
     --query 'ResolverEndpoint.[Direction,Status,IpAddressCount]')" \
  "$(printf 'INBOUND\tOPERATIONAL\t2')"

# What DNS answers where. localvpc's DNS server answers as each VPC's Route 53 Resolver, as the
# inbound endpoint (what the on-premises forwarder gets) and as the internet would. The zone
# holds the S3 names for the VPCs associated with it (hub and member) and for queries arriving
# through the inbound endpoint (answered as the hub VPC's resolver): the endpoint's two ENIs.
# Any other VPC, here the member account's default VPC, and the internet get public S3. A name
# the zone has without the asked type is NODATA: there is no fallback to public DNS.
# shellcheck source=../dnsviews.sh
source "$(dirname "${BASH_SOURCE[0]}")/../dnsviews.sh"
UNASSOCIATED_VPC_ID=$(member ec2 describe-vpcs --filters Name=is-default,Values=true --query 'Vpcs[0].VpcId')
save UNASSOCIATED_VPC_ID "$UNASSOCIATED_VPC_ID"
ENI_IPS=$(hub ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$HUB_VPC_ID" \
  "Name=interface-type,Values=vpc_endpoint" --query 'sort(NetworkInterfaces[].PrivateIpAddress) | join(`, `, @)')
BUCKET_NAME=my-bucket.$S3_ZONE
echo
echo "What DNS answers where (the endpoint's ENIs are $ENI_IPS):"
dns_row "member $MEMBER_VPC_ID" "$MEMBER_VPC_ID" "$S3_ZONE"
dns_row "member $MEMBER_VPC_ID" "$MEMBER_VPC_ID" "$BUCKET_NAME"
dns_row "member $MEMBER_VPC_ID" "$MEMBER_VPC_ID" "$S3_ZONE" AAAA
dns_row "hub $HUB_VPC_ID" "$HUB_VPC_ID" "$S3_ZONE"
dns_row "hub $HUB_VPC_ID" "$HUB_VPC_ID" "$BUCKET_NAME"
dns_row "unassociated $UNASSOCIATED_VPC_ID" "$UNASSOCIATED_VPC_ID" "$BUCKET_NAME"
dns_row "inbound $RESOLVER_ENDPOINT_ID" "$RESOLVER_ENDPOINT_ID" "$S3_ZONE"
dns_row "inbound $RESOLVER_ENDPOINT_ID" "$RESOLVER_ENDPOINT_ID" "$BUCKET_NAME"
dns_row "internet" public "$BUCKET_NAME"
dns_why "$MEMBER_VPC_ID" "$BUCKET_NAME"
for name in "$S3_ZONE" "$BUCKET_NAME"; do
  check "member VPC: $name answers the hub endpoint's ENIs" "$(dns_answer "$MEMBER_VPC_ID" "$name")" "$ENI_IPS"
  check "hub VPC: $name answers the endpoint's ENIs" "$(dns_answer "$HUB_VPC_ID" "$name")" "$ENI_IPS"
  check "on-premises through the inbound endpoint: $name answers the ENIs" \
    "$(dns_answer "$RESOLVER_ENDPOINT_ID" "$name")" "$ENI_IPS"
done
PUBLIC_S3=$(dns_answer public "$BUCKET_NAME")
check "an unassociated VPC gets the internet's answer for $BUCKET_NAME ($PUBLIC_S3)" \
  "$(dns_answer "$UNASSOCIATED_VPC_ID" "$BUCKET_NAME")" "$PUBLIC_S3"
check "member VPC: $S3_ZONE AAAA is NODATA from the zone (no fallback)" \
  "$(dns_answer "$MEMBER_VPC_ID" "$S3_ZONE" AAAA)" "NODATA"
echo
echo "What the network lets through (exit 0 when the path is open, 2 when it is blocked):"
echo "  localvpc trace --from $APP_INSTANCE_ID --to $S3_ZONE"
echo "  localvpc trace --from $APP_INSTANCE_ID --to $BUCKET_NAME --request 'PUT s3://my-bucket/test.txt'"
echo
echo "Created (ids saved in $STATE); delete with: $0 destroy"

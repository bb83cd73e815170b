#!/usr/bin/env bash
# Scenario 2 with the aws CLI: what Session Manager and the CloudWatch agent need in a private
# subnet without internet access. Five *interface* endpoints (ssm, ssmmessages, ec2, ec2messages,
# monitoring) with private DNS, each with one ENI in each of two subnets (two AZs), behind a
# security group that admits HTTPS from the VPC, and the instance whose agents use them.
#
#   bash examples/2-ssm-interface-endpoints/cli.sh            # create, print, check, DNS answers
#   bash examples/2-ssm-interface-endpoints/cli.sh destroy    # delete everything it created
#
# LOCALVPC_ENDPOINT (default http://127.0.0.1:4566) is the running localvpc. The access key
# "test" is not in examples/accounts.txt, so everything lands in account 000000000000.
set -euo pipefail

ENDPOINT=${LOCALVPC_ENDPOINT:-http://127.0.0.1:4566}
REGION=ap-northeast-1
STATE=${STATE_FILE:-${TMPDIR:-/tmp}/localvpc-example-2-cli.env}
EXAMPLE=2-ssm-interface-endpoints
SERVICES="ssm ssmmessages ec2 ec2messages monitoring"
export AWS_ACCESS_KEY_ID=${EXAMPLE_ACCESS_KEY:-test} AWS_SECRET_ACCESS_KEY=test AWS_PAGER=""

awsl() { aws --endpoint-url "$ENDPOINT" --region "$REGION" --output text "$@"; }
tags() { echo "ResourceType=$1,Tags=[{Key=Name,Value=$2},{Key=Example,Value=$EXAMPLE}]"; }
save() { printf '%s=%q\n' "$1" "$2" >>"$STATE"; printf '  %-22s %s\n' "$1" "$2"; }
check() { # check DESCRIPTION ACTUAL EXPECTED
  if [ "$2" = "$3" ]; then echo "  ok   $1"; else echo "  FAIL $1: got '$2', expected '$3'" >&2; exit 1; fi
}

destroy() {
  [ -f "$STATE" ] || { echo "nothing to destroy ($STATE not found)"; return; }
  # shellcheck disable=SC1090
  source "$STATE"
  echo "Deleting scenario 2 from $ENDPOINT"
  if [ -n "${APP_INSTANCE_ID:-}" ]; then
    awsl ec2 terminate-instances --instance-ids "$APP_INSTANCE_ID" >/dev/null
    awsl ec2 wait instance-terminated --instance-ids "$APP_INSTANCE_ID"
  fi
  for svc in $SERVICES; do
    var="ENDPOINT_${svc^^}"
    [ -z "${!var:-}" ] || awsl ec2 delete-vpc-endpoints --vpc-endpoint-ids "${!var}" >/dev/null
  done
  # The endpoints' ENIs go away with them; the group and subnets can go once they have.
  if [ -n "${VPC_ID:-}" ]; then
    for _ in $(seq 60); do
      left=$(awsl ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$VPC_ID" \
        --query 'length(NetworkInterfaces)')
      [ "$left" = 0 ] && break
      sleep 1
    done
  fi
  [ -z "${SG_ID:-}" ] || awsl ec2 delete-security-group --group-id "$SG_ID" >/dev/null
  [ -z "${SUBNET_C_ID:-}" ] || awsl ec2 delete-subnet --subnet-id "$SUBNET_C_ID"
  [ -z "${SUBNET_A_ID:-}" ] || awsl ec2 delete-subnet --subnet-id "$SUBNET_A_ID"
  [ -z "${VPC_ID:-}" ] || awsl ec2 delete-vpc --vpc-id "$VPC_ID"
  rm -f "$STATE"
  echo "deleted"
}

case "${1:-create}" in
  destroy | cleanup | --destroy) destroy; exit 0 ;;
  create) ;;
  *) echo "usage: $0 [create|destroy]" >&2; exit 2 ;;
esac
[ ! -f "$STATE" ] || { echo "$STATE exists: run '$0 destroy' first" >&2; exit 1; }
: >"$STATE"

echo "Scenario 2: SSM and CloudWatch interface endpoints with private DNS in two AZs ($ENDPOINT)"

# 1. The VPC. Private DNS needs both DNS attributes on (AWS refuses it otherwise).
VPC_ID=$(awsl ec2 create-vpc --cidr-block 10.0.0.0/16 \
  --tag-specifications "$(tags vpc ssm-vpc)" --query Vpc.VpcId)
save VPC_ID "$VPC_ID"
awsl ec2 modify-vpc-attribute --vpc-id "$VPC_ID" --enable-dns-support '{"Value":true}'
awsl ec2 modify-vpc-attribute --vpc-id "$VPC_ID" --enable-dns-hostnames '{"Value":true}'

# 2. Two private subnets in two AZs: an interface endpoint takes one subnet per AZ.
SUBNET_A_ID=$(awsl ec2 create-subnet --vpc-id "$VPC_ID" --cidr-block 10.0.1.0/24 \
  --availability-zone ap-northeast-1a --tag-specifications "$(tags subnet ssm-private-a)" \
  --query Subnet.SubnetId)
save SUBNET_A_ID "$SUBNET_A_ID"
SUBNET_C_ID=$(awsl ec2 create-subnet --vpc-id "$VPC_ID" --cidr-block 10.0.2.0/24 \
  --availability-zone ap-northeast-1c --tag-specifications "$(tags subnet ssm-private-c)" \
  --query Subnet.SubnetId)
save SUBNET_C_ID "$SUBNET_C_ID"

# 3. The security group on the endpoints' ENIs: HTTPS from anywhere in the VPC.
SG_ID=$(awsl ec2 create-security-group --vpc-id "$VPC_ID" --group-name vpc-endpoints \
  --description "HTTPS from the VPC to the interface endpoints" \
  --tag-specifications "$(tags security-group ssm-endpoints-sg)" --query GroupId)
save SG_ID "$SG_ID"
awsl ec2 authorize-security-group-ingress --group-id "$SG_ID" \
  --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=10.0.0.0/16,Description=https from the vpc}]' \
  >/dev/null

# 4. One interface endpoint per service, private DNS on: inside this VPC the service's usual
#    name (ssm.ap-northeast-1.amazonaws.com) will resolve to the endpoint's ENIs.
for svc in $SERVICES; do
  id=$(awsl ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id "$VPC_ID" \
    --service-name "com.amazonaws.$REGION.$svc" --subnet-ids "$SUBNET_A_ID" "$SUBNET_C_ID" \
    --security-group-ids "$SG_ID" --private-dns-enabled \
    --tag-specifications "$(tags vpc-endpoint "ssm-endpoint-$svc")" --query VpcEndpoint.VpcEndpointId)
  save "ENDPOINT_${svc^^}" "$id"
done

# 5. The workload: one instance in ssm-private-a (Amazon Linux 2023, no public address) whose SSM
#    and CloudWatch agents reach the services through the endpoints. It has the VPC's default
#    security group, which allows all outbound traffic; the endpoints' group admits it on 443.
AMI_ID=$(awsl ec2 describe-images --owners amazon --filters "Name=name,Values=al2023-ami-2023*-x86_64" \
  --query 'sort_by(Images, &CreationDate)[-1].ImageId')
APP_INSTANCE_ID=$(awsl ec2 run-instances --image-id "$AMI_ID" --instance-type t3.micro --subnet-id "$SUBNET_A_ID" \
  --tag-specifications "$(tags instance ssm-app)" --query 'Instances[0].InstanceId')
save APP_INSTANCE_ID "$APP_INSTANCE_ID"
awsl ec2 wait instance-running --instance-ids "$APP_INSTANCE_ID"

echo
echo "Endpoints and their DNS names (regional, one per AZ, then the private name):"
awsl ec2 describe-vpc-endpoints --filters "Name=vpc-id,Values=$VPC_ID" --output table \
  --query 'VpcEndpoints[].{Id:VpcEndpointId,Service:ServiceName,State:State,PrivateDns:PrivateDnsEnabled}'
awsl ec2 describe-vpc-endpoints --filters "Name=vpc-id,Values=$VPC_ID" --query 'VpcEndpoints[].DnsEntries[].DnsName' \
  | tr '\t' '\n'
echo
echo "Their network interfaces (requester-managed, one per subnet per endpoint):"
awsl ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$VPC_ID" "Name=interface-type,Values=vpc_endpoint" \
  --output table --query 'NetworkInterfaces[].{Eni:NetworkInterfaceId,Subnet:SubnetId,Az:AvailabilityZone,Ip:PrivateIpAddress,Description:Description}'

echo "Checks:"
source "$STATE"
for svc in $SERVICES; do
  var="ENDPOINT_${svc^^}"; id=${!var}
  check "$svc: available Interface endpoint with private DNS" \
    "$(awsl ec2 describe-vpc-endpoints --vpc-endpoint-ids "$id" \
       --query 'VpcEndpoints[0].[VpcEndpointType,State,PrivateDnsEnabled]')" \
    "$(printf 'Interface\tavailable\tTrue')"
  check "$svc: DNS names include $svc.$REGION.amazonaws.com" \
    "$(awsl ec2 describe-vpc-endpoints --vpc-endpoint-ids "$id" \
       --query "length(VpcEndpoints[0].DnsEntries[?DnsName=='$svc.$REGION.amazonaws.com'])")" \
    "1"
  # shellcheck disable=SC2046  # the ENI ids are separate arguments
  check "$svc: one ENI in each subnet" \
    "$(awsl ec2 describe-network-interfaces --network-interface-ids \
       $(awsl ec2 describe-vpc-endpoints --vpc-endpoint-ids "$id" --query 'VpcEndpoints[0].NetworkInterfaceIds') \
       --query 'sort(NetworkInterfaces[].SubnetId) | join(`,`, @)')" \
    "$(printf '%s\n' "$SUBNET_A_ID" "$SUBNET_C_ID" | sort | paste -sd,)"
done
check "ten endpoint ENIs in the VPC, all behind the endpoints' group" \
  "$(awsl ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$VPC_ID" "Name=group-id,Values=$SG_ID" \
     "Name=interface-type,Values=vpc_endpoint" --query 'length(NetworkInterfaces)')" \
  "10"
check "the group admits 443 from the VPC" \
  "$(awsl ec2 describe-security-groups --group-ids "$SG_ID" \
     --query 'SecurityGroups[0].IpPermissions[].[IpProtocol,FromPort,ToPort,IpRanges[0].CidrIp]')" \
  "$(printf 'tcp\t443\t443\t10.0.0.0/16')"

# 6. What DNS answers where. localvpc's DNS server answers as this VPC's Route 53 Resolver and as
#    the internet would. Private DNS puts each service's usual name in a hidden private zone of
#    this VPC only: inside, the endpoint's two ENI addresses (one per AZ); outside, the public
#    address. The endpoint's own vpce-… names are public and answer its ENIs from anywhere.
# shellcheck source=../dnsviews.sh
source "$(dirname "${BASH_SOURCE[0]}")/../dnsviews.sh"
SSM_VPCE_DNS=$(awsl ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ENDPOINT_SSM" \
  --query 'VpcEndpoints[0].DnsEntries[0].DnsName')
save SSM_VPCE_DNS "$SSM_VPCE_DNS"
ENI_IPS=$(awsl ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$VPC_ID" \
  --query 'NetworkInterfaces[].[Description,PrivateIpAddress]')
eni_ips() { grep -F "$1" <<<"$ENI_IPS" | cut -f2 | LC_ALL=C sort | paste -sd, - | sed 's/,/, /g'; }
echo
echo "What DNS answers where:"
for svc in $SERVICES; do dns_row "VPC $VPC_ID" "$VPC_ID" "$svc.$REGION.amazonaws.com"; done
for svc in $SERVICES; do dns_row "internet" public "$svc.$REGION.amazonaws.com"; done
dns_row "internet" public "$SSM_VPCE_DNS"
dns_why "$VPC_ID" "ssm.$REGION.amazonaws.com"
for svc in $SERVICES; do
  var="ENDPOINT_${svc^^}"; name=$svc.$REGION.amazonaws.com
  check "in the VPC, $name answers ${!var}'s ENIs" "$(dns_answer "$VPC_ID" "$name")" "$(eni_ips "${!var}")"
  public=$(dns_answer public "$name")
  check "outside, $name answers a public address ($public)" \
    "$([[ $public =~ ^[0-9.]+$ ]] && [ -z "$(dns_in_cidrs "$public" 10.0.0.0/16)" ] && echo public || echo "$public")" \
    "public"
done
check "the ssm endpoint's regional name answers its ENIs from anywhere" \
  "$(dns_answer public "$SSM_VPCE_DNS")" "$(eni_ips "$ENDPOINT_SSM")"
echo
echo "What the network lets through (exit 0 when the path is open, 2 when it is blocked):"
for svc in $SERVICES; do echo "  localvpc trace --from $APP_INSTANCE_ID --to $svc.$REGION.amazonaws.com"; done
echo
echo "Created (ids saved in $STATE); delete with: $0 destroy"

#!/usr/bin/env bash
# Scenario 4 with the aws CLI: a provider publishes its own service (behind an internal network
# load balancer) as a PrivateLink endpoint service that requires acceptance and allows one
# consumer account; the consumer creates an interface endpoint to it (pendingAcceptance), the
# provider accepts it, and it becomes available for the consumer's instance.
#
#   bash examples/4-endpoint-service/cli.sh            # create, print, check, DNS answers
#   bash examples/4-endpoint-service/cli.sh destroy    # delete everything it created
#
# LOCALVPC_ENDPOINT (default http://127.0.0.1:4566) is the running localvpc, started with
# examples/accounts.txt: PROVIDERKEY -> 333333333333 (provider), CONSUMERKEY -> 444444444444.
set -euo pipefail

ENDPOINT=${LOCALVPC_ENDPOINT:-http://127.0.0.1:4566}
REGION=ap-northeast-1
STATE=${STATE_FILE:-${TMPDIR:-/tmp}/localvpc-example-4-cli.env}
EXAMPLE=4-endpoint-service
PROVIDER_KEY=${PROVIDER_ACCESS_KEY:-PROVIDERKEY}
CONSUMER_KEY=${CONSUMER_ACCESS_KEY:-CONSUMERKEY}
export AWS_SECRET_ACCESS_KEY=test AWS_PAGER=""

# One function per account: the access key selects the account.
provider() { AWS_ACCESS_KEY_ID=$PROVIDER_KEY aws --endpoint-url "$ENDPOINT" --region "$REGION" --output text "$@"; }
consumer() { AWS_ACCESS_KEY_ID=$CONSUMER_KEY aws --endpoint-url "$ENDPOINT" --region "$REGION" --output text "$@"; }
tags() { echo "ResourceType=$1,Tags=[{Key=Name,Value=$2},{Key=Example,Value=$EXAMPLE}]"; }
elbtags() { echo "Key=Name,Value=$1 Key=Example,Value=$EXAMPLE"; }
save() { printf '%s=%q\n' "$1" "$2" >>"$STATE"; printf '  %-22s %s\n' "$1" "$2"; }
check() { # check DESCRIPTION ACTUAL EXPECTED
  if [ "$2" = "$3" ]; then echo "  ok   $1"; else echo "  FAIL $1: got '$2', expected '$3'" >&2; exit 1; fi
}
wait_for() { # wait_for DESCRIPTION EXPECTED COMMAND...
  local what=$1 want=$2 got=""; shift 2
  for _ in $(seq 120); do got=$("$@"); [ "$got" = "$want" ] && return 0; sleep 1; done
  echo "timed out waiting for $what (last: $got)" >&2; exit 1
}

destroy() {
  [ -f "$STATE" ] || { echo "nothing to destroy ($STATE not found)"; return; }
  # shellcheck disable=SC1090
  source "$STATE"
  echo "Deleting scenario 4 from $ENDPOINT"
  # Consumer side first: the instance, the endpoint (its ENIs go with it), then its network.
  if [ -n "${APP_INSTANCE_ID:-}" ]; then
    consumer ec2 terminate-instances --instance-ids "$APP_INSTANCE_ID" >/dev/null
    consumer ec2 wait instance-terminated --instance-ids "$APP_INSTANCE_ID"
  fi
  [ -z "${VPCE_ID:-}" ] || consumer ec2 delete-vpc-endpoints --vpc-endpoint-ids "$VPCE_ID" >/dev/null
  [ -z "${CONSUMER_VPC_ID:-}" ] || wait_for "the endpoint's ENIs to go" 0 \
    consumer ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$CONSUMER_VPC_ID" \
    --query 'length(NetworkInterfaces)'
  [ -z "${CONSUMER_SG_ID:-}" ] || consumer ec2 delete-security-group --group-id "$CONSUMER_SG_ID" >/dev/null
  [ -z "${CONSUMER_SUBNET_C_ID:-}" ] || consumer ec2 delete-subnet --subnet-id "$CONSUMER_SUBNET_C_ID"
  [ -z "${CONSUMER_SUBNET_A_ID:-}" ] || consumer ec2 delete-subnet --subnet-id "$CONSUMER_SUBNET_A_ID"
  [ -z "${CONSUMER_VPC_ID:-}" ] || consumer ec2 delete-vpc --vpc-id "$CONSUMER_VPC_ID"
  # Provider side: the service, then the load balancer stack, then the network.
  [ -z "${SERVICE_ID:-}" ] || provider ec2 delete-vpc-endpoint-service-configurations --service-ids "$SERVICE_ID" >/dev/null
  [ -z "${LISTENER_ARN:-}" ] || provider elbv2 delete-listener --listener-arn "$LISTENER_ARN"
  if [ -n "${LB_ARN:-}" ]; then
    provider elbv2 delete-load-balancer --load-balancer-arn "$LB_ARN"
    provider elbv2 wait load-balancers-deleted --load-balancer-arns "$LB_ARN"
  fi
  [ -z "${TG_ARN:-}" ] || provider elbv2 delete-target-group --target-group-arn "$TG_ARN"
  [ -z "${PROVIDER_VPC_ID:-}" ] || wait_for "the load balancer's ENIs to go" 0 \
    provider ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$PROVIDER_VPC_ID" \
    --query 'length(NetworkInterfaces)'
  [ -z "${PROVIDER_SUBNET_C_ID:-}" ] || provider ec2 delete-subnet --subnet-id "$PROVIDER_SUBNET_C_ID"
  [ -z "${PROVIDER_SUBNET_A_ID:-}" ] || provider ec2 delete-subnet --subnet-id "$PROVIDER_SUBNET_A_ID"
  [ -z "${PROVIDER_VPC_ID:-}" ] || provider ec2 delete-vpc --vpc-id "$PROVIDER_VPC_ID"
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

echo "Scenario 4: an NLB-backed endpoint service and a consumer in another account ($ENDPOINT)"
PROVIDER_ACCOUNT=$(provider sts get-caller-identity --query Account)
CONSUMER_ACCOUNT=$(consumer sts get-caller-identity --query Account)
echo "  provider account $PROVIDER_ACCOUNT, consumer account $CONSUMER_ACCOUNT"

# --- Provider account -------------------------------------------------------------------------
# 1. The provider's VPC with two subnets (two AZs) for the load balancer.
PROVIDER_VPC_ID=$(provider ec2 create-vpc --cidr-block 10.0.0.0/16 \
  --tag-specifications "$(tags vpc svc-provider-vpc)" --query Vpc.VpcId)
save PROVIDER_VPC_ID "$PROVIDER_VPC_ID"
PROVIDER_SUBNET_A_ID=$(provider ec2 create-subnet --vpc-id "$PROVIDER_VPC_ID" --cidr-block 10.0.1.0/24 \
  --availability-zone ap-northeast-1a --tag-specifications "$(tags subnet svc-provider-a)" --query Subnet.SubnetId)
save PROVIDER_SUBNET_A_ID "$PROVIDER_SUBNET_A_ID"
PROVIDER_SUBNET_C_ID=$(provider ec2 create-subnet --vpc-id "$PROVIDER_VPC_ID" --cidr-block 10.0.2.0/24 \
  --availability-zone ap-northeast-1c --tag-specifications "$(tags subnet svc-provider-c)" --query Subnet.SubnetId)
save PROVIDER_SUBNET_C_ID "$PROVIDER_SUBNET_C_ID"

# 2. The service itself: an internal network load balancer, a target group whose target is the
#    application's IP (10.0.1.10:443), and a TCP 443 listener forwarding to it.
# shellcheck disable=SC2046
LB_ARN=$(provider elbv2 create-load-balancer --name svc-nlb --type network --scheme internal \
  --subnets "$PROVIDER_SUBNET_A_ID" "$PROVIDER_SUBNET_C_ID" --tags $(elbtags svc-nlb) \
  --query 'LoadBalancers[0].LoadBalancerArn')
save LB_ARN "$LB_ARN"
# shellcheck disable=SC2046
TG_ARN=$(provider elbv2 create-target-group --name svc-targets --protocol TCP --port 443 \
  --target-type ip --vpc-id "$PROVIDER_VPC_ID" --tags $(elbtags svc-targets) \
  --query 'TargetGroups[0].TargetGroupArn')
save TG_ARN "$TG_ARN"
provider elbv2 register-targets --target-group-arn "$TG_ARN" --targets Id=10.0.1.10,Port=443
LISTENER_ARN=$(provider elbv2 create-listener --load-balancer-arn "$LB_ARN" --protocol TCP --port 443 \
  --default-actions "Type=forward,TargetGroupArn=$TG_ARN" --query 'Listeners[0].ListenerArn')
save LISTENER_ARN "$LISTENER_ARN"
provider elbv2 wait load-balancer-available --load-balancer-arns "$LB_ARN"

# 3. The endpoint service: acceptance required, and only the consumer account may connect.
SERVICE_ID=$(provider ec2 create-vpc-endpoint-service-configuration --network-load-balancer-arns "$LB_ARN" \
  --acceptance-required --tag-specifications "$(tags vpc-endpoint-service svc-endpoint-service)" \
  --query ServiceConfiguration.ServiceId)
save SERVICE_ID "$SERVICE_ID"
SERVICE_NAME=$(provider ec2 describe-vpc-endpoint-service-configurations --service-ids "$SERVICE_ID" \
  --query 'ServiceConfigurations[0].ServiceName')
save SERVICE_NAME "$SERVICE_NAME"
provider ec2 modify-vpc-endpoint-service-permissions --service-id "$SERVICE_ID" \
  --add-allowed-principals "arn:aws:iam::$CONSUMER_ACCOUNT:root" >/dev/null

# --- Consumer account -------------------------------------------------------------------------
# 4. The consumer's VPC (the same 10.0.0.0/16: PrivateLink does not care about overlapping
#    CIDRs, unlike peering), two subnets and a group admitting HTTPS from the VPC.
CONSUMER_VPC_ID=$(consumer ec2 create-vpc --cidr-block 10.0.0.0/16 \
  --tag-specifications "$(tags vpc svc-consumer-vpc)" --query Vpc.VpcId)
save CONSUMER_VPC_ID "$CONSUMER_VPC_ID"
consumer ec2 modify-vpc-attribute --vpc-id "$CONSUMER_VPC_ID" --enable-dns-hostnames '{"Value":true}'
CONSUMER_SUBNET_A_ID=$(consumer ec2 create-subnet --vpc-id "$CONSUMER_VPC_ID" --cidr-block 10.0.1.0/24 \
  --availability-zone ap-northeast-1a --tag-specifications "$(tags subnet svc-consumer-a)" --query Subnet.SubnetId)
save CONSUMER_SUBNET_A_ID "$CONSUMER_SUBNET_A_ID"
CONSUMER_SUBNET_C_ID=$(consumer ec2 create-subnet --vpc-id "$CONSUMER_VPC_ID" --cidr-block 10.0.2.0/24 \
  --availability-zone ap-northeast-1c --tag-specifications "$(tags subnet svc-consumer-c)" --query Subnet.SubnetId)
save CONSUMER_SUBNET_C_ID "$CONSUMER_SUBNET_C_ID"
CONSUMER_SG_ID=$(consumer ec2 create-security-group --vpc-id "$CONSUMER_VPC_ID" --group-name svc-endpoint \
  --description "HTTPS from the VPC to the provider service" \
  --tag-specifications "$(tags security-group svc-consumer-sg)" --query GroupId)
save CONSUMER_SG_ID "$CONSUMER_SG_ID"
consumer ec2 authorize-security-group-ingress --group-id "$CONSUMER_SG_ID" \
  --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=10.0.0.0/16}]' >/dev/null

# 5. The consumer can now see the service (it is allowed) and asks for an endpoint to it.
echo
echo "The service as the consumer sees it:"
consumer ec2 describe-vpc-endpoint-services --service-names "$SERVICE_NAME" --output table \
  --query 'ServiceDetails[].{Name:ServiceName,Owner:Owner,AcceptanceRequired:AcceptanceRequired,Zones:join(`,`,AvailabilityZones)}'
VPCE_ID=$(consumer ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id "$CONSUMER_VPC_ID" \
  --service-name "$SERVICE_NAME" --subnet-ids "$CONSUMER_SUBNET_A_ID" "$CONSUMER_SUBNET_C_ID" \
  --security-group-ids "$CONSUMER_SG_ID" --tag-specifications "$(tags vpc-endpoint svc-consumer-endpoint)" \
  --query VpcEndpoint.VpcEndpointId)
save VPCE_ID "$VPCE_ID"
echo "endpoint state before the provider accepts: $(consumer ec2 describe-vpc-endpoints \
  --vpc-endpoint-ids "$VPCE_ID" --query 'VpcEndpoints[0].State')"

# --- Provider account again -------------------------------------------------------------------
# 6. The provider sees the pending connection and accepts it.
echo "connections the provider sees:"
provider ec2 describe-vpc-endpoint-connections --filters "Name=service-id,Values=$SERVICE_ID" \
  --query 'VpcEndpointConnections[].[VpcEndpointId,VpcEndpointOwner,VpcEndpointState]'
provider ec2 accept-vpc-endpoint-connections --service-id "$SERVICE_ID" --vpc-endpoint-ids "$VPCE_ID" >/dev/null
wait_for "the endpoint to become available" available \
  consumer ec2 describe-vpc-endpoints --vpc-endpoint-ids "$VPCE_ID" --query 'VpcEndpoints[0].State'

# --- Consumer account again -------------------------------------------------------------------
# 7. The consumer's workload: one instance in svc-consumer-a (Amazon Linux 2023, no public
#    address) that calls the service through the endpoint on 443. It has the VPC's default
#    security group, which allows all outbound traffic; the endpoint's group admits the VPC.
AMI_ID=$(consumer ec2 describe-images --owners amazon --filters "Name=name,Values=al2023-ami-2023*-x86_64" \
  --query 'sort_by(Images, &CreationDate)[-1].ImageId')
APP_INSTANCE_ID=$(consumer ec2 run-instances --image-id "$AMI_ID" --instance-type t3.micro \
  --subnet-id "$CONSUMER_SUBNET_A_ID" --tag-specifications "$(tags instance svc-consumer-app)" \
  --query 'Instances[0].InstanceId')
save APP_INSTANCE_ID "$APP_INSTANCE_ID"
consumer ec2 wait instance-running --instance-ids "$APP_INSTANCE_ID"

echo
echo "The consumer's endpoint, its names and ENIs:"
consumer ec2 describe-vpc-endpoints --vpc-endpoint-ids "$VPCE_ID" --query 'VpcEndpoints[0].DnsEntries[].DnsName' \
  | tr '\t' '\n'
consumer ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$CONSUMER_VPC_ID" \
  "Name=interface-type,Values=vpc_endpoint" --query 'NetworkInterfaces[].[NetworkInterfaceId,AvailabilityZone,PrivateIpAddress]'

echo
echo "Checks:"
check "the NLB is an active internal network load balancer" \
  "$(provider elbv2 describe-load-balancers --load-balancer-arns "$LB_ARN" --query 'LoadBalancers[0].[Type,Scheme,State.Code]')" \
  "$(printf 'network\tinternal\tactive')"
check "the target 10.0.1.10:443 is registered" \
  "$(provider elbv2 describe-target-health --target-group-arn "$TG_ARN" \
     --query 'TargetHealthDescriptions[].[Target.Id,Target.Port]')" \
  "$(printf '10.0.1.10\t443')"
check "the service requires acceptance and is available" \
  "$(provider ec2 describe-vpc-endpoint-service-configurations --service-ids "$SERVICE_ID" \
     --query 'ServiceConfigurations[0].[AcceptanceRequired,ServiceState]')" \
  "$(printf 'True\tAvailable')"
check "only the consumer account is allowed" \
  "$(provider ec2 describe-vpc-endpoint-service-permissions --service-id "$SERVICE_ID" \
     --query 'AllowedPrincipals[].Principal')" \
  "arn:aws:iam::$CONSUMER_ACCOUNT:root"
check "the provider sees the connection as available" \
  "$(provider ec2 describe-vpc-endpoint-connections --filters "Name=service-id,Values=$SERVICE_ID" \
     --query 'VpcEndpointConnections[].[VpcEndpointId,VpcEndpointOwner,VpcEndpointState]')" \
  "$(printf '%s\t%s\tavailable' "$VPCE_ID" "$CONSUMER_ACCOUNT")"
check "the consumer's endpoint is available with one ENI per subnet" \
  "$(consumer ec2 describe-vpc-endpoints --vpc-endpoint-ids "$VPCE_ID" \
     --query 'VpcEndpoints[0].[State,length(NetworkInterfaceIds)]')" \
  "$(printf 'available\t2')"
check "the consumer's instance runs in svc-consumer-a" \
  "$(consumer ec2 describe-instances --instance-ids "$APP_INSTANCE_ID" \
     --query 'Reservations[0].Instances[0].[State.Name,SubnetId,InstanceType]')" \
  "$(printf 'running\t%s\tt3.micro' "$CONSUMER_SUBNET_A_ID")"

# 8. What DNS answers where. The endpoint's regional name vpce-….vpce-svc-….vpce.amazonaws.com
#    lives in a public zone: once the endpoint is available it answers the endpoint's two ENI
#    addresses in the consumer VPC and from anywhere else (localvpc's DNS server answers as the
#    VPC's Route 53 Resolver and as the internet would).
# shellcheck source=../dnsviews.sh
source "$(dirname "${BASH_SOURCE[0]}")/../dnsviews.sh"
CONSUMER_VPCE_DNS=$(consumer ec2 describe-vpc-endpoints --vpc-endpoint-ids "$VPCE_ID" \
  --query 'VpcEndpoints[0].DnsEntries[0].DnsName')
save CONSUMER_VPCE_DNS "$CONSUMER_VPCE_DNS"
ENI_IPS=$(consumer ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$CONSUMER_VPC_ID" \
  "Name=interface-type,Values=vpc_endpoint" --query 'sort(NetworkInterfaces[].PrivateIpAddress) | join(`, `, @)')
echo
echo "What DNS answers where:"
dns_row "internet" public "$CONSUMER_VPCE_DNS"
dns_row "consumer $CONSUMER_VPC_ID" "$CONSUMER_VPC_ID" "$CONSUMER_VPCE_DNS"
dns_why public "$CONSUMER_VPCE_DNS"
check "the endpoint's regional name answers its ENIs ($ENI_IPS) from the internet" \
  "$(dns_answer public "$CONSUMER_VPCE_DNS")" "$ENI_IPS"
check "... and in the consumer VPC" "$(dns_answer "$CONSUMER_VPC_ID" "$CONSUMER_VPCE_DNS")" "$ENI_IPS"
echo
echo "What the network lets through (exit 0 when the path is open, 2 when it is blocked):"
echo "  localvpc trace --from $APP_INSTANCE_ID --to $CONSUMER_VPCE_DNS:443"
echo "  localvpc trace --from $APP_INSTANCE_ID --to $VPCE_ID --port 443"
echo
echo "Created (ids saved in $STATE); delete with: $0 destroy"

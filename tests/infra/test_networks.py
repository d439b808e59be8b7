"""The network paths the template creates for a function in a VPC (docs/deploy.md, Networks),
as the real SAM translator expands it: with RDS Proxy, every security-group rule between the
function, the proxy and the database is the stack's; the pre-traffic hook stays outside."""

from tests.fixtures.sam import IMAGE_DEPLOY, SamCli
from tests.support.cloudformation import evaluate

IN_A_VPC = {
    **IMAGE_DEPLOY,
    "SubnetIds": "subnet-0a1b2c3d,subnet-0d3c2b1a",
    "SecurityGroupIds": "sg-0a1b2c3d",
    "VpcId": "vpc-0a1b2c3d",
}
WITH_RDS_PROXY = {
    **IN_A_VPC,
    "RdsProxyDbInstanceId": "app-db",
    "RdsProxyAuthSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds-AbCdEf",
    "RdsProxyDbSecurityGroupId": "sg-0d3c2b1a",
}
POSTGRESQL = {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432}


def test_with_rds_proxy_the_stack_opens_the_path_function_proxy_database(sam_cli: SamCli) -> None:
    (template,) = sam_cli.transform(WITH_RDS_PROXY)
    stack = evaluate(template, WITH_RDS_PROXY)

    # The function carries the proxy's client group beside its own
    vpc = stack.properties("ApiFunction")["VpcConfig"]
    assert vpc["SubnetIds"] == ["subnet-0a1b2c3d", "subnet-0d3c2b1a"]
    assert vpc["SecurityGroupIds"] == ["sg-0a1b2c3d", "<DbProxyClientSecurityGroup>"]
    # The proxy, in the same subnets, admits that group on 5432
    proxy = stack.properties("DbProxy")
    assert proxy["VpcSubnetIds"] == vpc["SubnetIds"]
    assert proxy["VpcSecurityGroupIds"] == ["<DbProxySecurityGroup>"]
    (ingress,) = stack.properties("DbProxySecurityGroup")["SecurityGroupIngress"]
    assert (
        ingress.items()
        >= {**POSTGRESQL, "SourceSecurityGroupId": "<DbProxyClientSecurityGroup>"}.items()
    )
    # The database's group admits the proxy's on 5432
    database = stack.properties("DbAdmitsProxy")
    assert (
        database.items()
        >= {
            **POSTGRESQL,
            "GroupId": "sg-0d3c2b1a",
            "SourceSecurityGroupId": "<DbProxySecurityGroup>",
        }.items()
    )
    assert stack.broken_rules == []
    # The hook only calls AWS APIs: it runs outside the VPC
    assert "VpcConfig" not in stack.properties("PreTrafficHook")


def test_without_rds_proxy_the_function_keeps_its_own_groups(sam_cli: SamCli) -> None:
    (template,) = sam_cli.transform(IN_A_VPC)
    stack = evaluate(template, IN_A_VPC)

    assert stack.properties("ApiFunction")["VpcConfig"]["SecurityGroupIds"] == ["sg-0a1b2c3d"]
    assert not stack.of_type("AWS::EC2::SecurityGroup")


def test_rds_proxy_without_its_network_is_refused(sam_cli: SamCli) -> None:
    parameters = {**WITH_RDS_PROXY, "VpcId": "", "RdsProxyDbSecurityGroupId": ""}
    (template,) = sam_cli.transform(parameters)

    assert evaluate(template, parameters).broken_rules == [
        "RdsProxyDbInstanceId needs VpcId (the VPC of SubnetIds).",
        "RdsProxyDbInstanceId needs RdsProxyDbSecurityGroupId (the database's group).",
    ]

"""Run with the emulator's virtualenv: python -m unittest scripts/emulator/test_moto_patch.py"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from moto_patched_server import apply_patch  # noqa: E402
from moto.iam.access_control import IAMPolicy, PermissionResult  # noqa: E402

BUCKET = "arn:aws:s3:::state"
TLS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": ["s3:*"],
        "Resource": [BUCKET, BUCKET + "/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }],
}


def decide(policy, action="s3:GetObject", resource=BUCKET + "/key", values=None):
    return IAMPolicy(json.dumps(policy)).is_action_permitted(action, resource, None, values)


class MotoPatchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        apply_patch()

    def test_unmatched_conditional_deny_does_not_apply(self):
        self.assertEqual(decide(TLS_ONLY), PermissionResult.NEUTRAL)

    def test_matched_conditional_deny_still_denies(self):
        self.assertEqual(decide(TLS_ONLY, values={"aws:SecureTransport": "false"}), PermissionResult.DENIED)

    def test_unconditional_deny_still_denies(self):
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": BUCKET + "/*"}]}
        self.assertEqual(decide(policy), PermissionResult.DENIED)

    def test_allow_with_unmatched_condition_is_not_permitted(self):
        policy = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": BUCKET + "/*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": "111111111111"}}}]}
        self.assertNotEqual(decide(policy), PermissionResult.PERMITTED)


class EcrTokenExpiryTest(unittest.TestCase):
    def test_token_expires_twelve_hours_from_now(self):
        apply_patch()
        import boto3
        from datetime import datetime, timezone
        from moto import mock_aws

        with mock_aws():
            token = boto3.client("ecr", region_name="us-east-1").get_authorization_token()["authorizationData"][0]
        hours = (token["expiresAt"] - datetime.now(timezone.utc)).total_seconds() / 3600
        self.assertAlmostEqual(hours, 12, delta=0.05)


class EcrIdentityTokenTest(unittest.TestCase):
    """GetAuthorizationToken is authorized from the caller's identity policies and its token names the caller."""

    ALLOW = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}
    DENY = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ecr:*", "Resource": "*"}]}
    OTHER = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}

    @classmethod
    def setUpClass(cls):
        from moto_patched_server import set_token_key
        apply_patch()
        set_token_key(b"test key")
        from moto.server import create_backend_app
        cls.ecr = create_backend_app("ecr").test_client()

    def _user(self, *policies):
        from moto.iam.models import iam_backends
        backend = iam_backends["123456789012"]["aws"]
        name = f"token-user-{len(backend.users)}"
        backend.create_user("us-east-1", name)
        for i, policy in enumerate(policies):
            backend.put_user_policy(name, f"p{i}", json.dumps(policy))
        return name, backend.create_access_key(name).access_key_id

    def _token(self, key_id):
        headers = {
            "Authorization": f"AWS4-HMAC-SHA256 Credential={key_id}/20261125/us-east-1/ecr/aws4_request, SignedHeaders=host, Signature=0",
            "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken",
        }
        response = self.ecr.post("/", data="{}", headers=headers, content_type="application/x-amz-json-1.1")
        return response.status_code, json.loads(response.get_data(as_text=True))

    @staticmethod
    def _claims(body):
        import base64
        password = base64.b64decode(body["authorizationData"][0]["authorizationToken"]).decode().split(":", 1)[1]
        payload = password.split(".")[0]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    def test_allowed_user_gets_a_token_naming_it_for_twelve_hours(self):
        import time
        name, key = self._user(self.ALLOW)
        status, body = self._token(key)
        self.assertEqual(status, 200)
        claims = self._claims(body)
        self.assertEqual(claims["p"], f"arn:aws:iam::123456789012:user/{name}")
        self.assertEqual(claims["a"], "123456789012")
        self.assertAlmostEqual((claims["exp"] - time.time()) / 3600, 12, delta=0.05)

    def test_tokens_of_different_callers_differ_and_are_signed(self):
        from moto_patched_server import issue_token
        from datetime import datetime, timezone
        _, a = self._user(self.ALLOW)
        _, b = self._user(self.ALLOW)
        self.assertNotEqual(self._claims(self._token(a)[1])["p"], self._claims(self._token(b)[1])["p"])
        at = datetime(2030, 1, 1, tzinfo=timezone.utc)
        self.assertNotEqual(issue_token("arn:x", "1", at).split(".")[1], issue_token("arn:y", "1", at).split(".")[1])

    def test_refusals(self):
        for policies, reason in [
            ((self.OTHER,), "because no identity-based policy allows the ecr:GetAuthorizationToken action"),
            ((self.ALLOW, self.DENY), "with an explicit deny in an identity-based policy"),
        ]:
            with self.subTest(reason=reason):
                name, key = self._user(*policies)
                status, body = self._token(key)
                self.assertEqual((status, body["__type"]), (400, "AccessDeniedException"))
                self.assertEqual(
                    body["message"],
                    f"User: arn:aws:iam::123456789012:user/{name} is not authorized to perform: ecr:GetAuthorizationToken on resource: * {reason}",
                )


class EcrTagMoveTest(unittest.TestCase):
    """A re-pushed tag moves; the image it left stays, untagged, as in AWS."""

    def test_old_image_stays_untagged(self):
        apply_patch()
        import boto3
        from moto import mock_aws

        manifest = lambda n: json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": {"digest": f"sha256:{n:064x}"}, "layers": []})
        with mock_aws():
            ecr = boto3.client("ecr", region_name="us-east-1")
            ecr.create_repository(repositoryName="repo", imageTagMutability="MUTABLE")
            ecr.put_image(repositoryName="repo", imageManifest=manifest(1), imageTag="latest")
            ecr.put_image(repositoryName="repo", imageManifest=manifest(2), imageTag="latest")
            images = ecr.describe_images(repositoryName="repo")["imageDetails"]
        self.assertEqual(sorted(tuple(i.get("imageTags", [])) for i in images), [(), ("latest",)])

    def test_immutable_repository_still_refuses(self):
        apply_patch()
        import boto3
        from moto import mock_aws

        with mock_aws():
            ecr = boto3.client("ecr", region_name="us-east-1")
            ecr.create_repository(repositoryName="repo", imageTagMutability="IMMUTABLE")
            base = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "layers": []}
            ecr.put_image(repositoryName="repo", imageManifest=json.dumps({**base, "config": {"digest": "sha256:" + "1" * 64}}), imageTag="v1")
            with self.assertRaises(Exception) as refused:
                ecr.put_image(repositoryName="repo", imageManifest=json.dumps({**base, "config": {"digest": "sha256:" + "2" * 64}}), imageTag="v1")
        self.assertIn("AlreadyExistsException", str(refused.exception))  # moto names it ImageAlreadyExists; the stand-in answers TAG_INVALID before


class S3EventBridgeReadbackTest(unittest.TestCase):
    def test_eventbridge_configuration_is_read_back(self):
        apply_patch()
        import boto3
        from moto import mock_aws
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.s3.models import s3_backends

        with mock_aws():
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.create_bucket(Bucket="state")
            s3.put_bucket_notification_configuration(Bucket="state", NotificationConfiguration={"EventBridgeConfiguration": {}})
            self.assertIsNotNone(s3_backends[DEFAULT_ACCOUNT_ID]["aws"].get_bucket_notification_configuration("state").event_bridge)
            # moto's own request path is in-process here; the server path is proved by the e2e no-op plan.
            answer = s3.get_bucket_notification_configuration(Bucket="state")
        self.assertIn("EventBridgeConfiguration", answer)

    def test_buckets_without_eventbridge_are_unchanged(self):
        apply_patch()
        import boto3
        from moto import mock_aws

        with mock_aws():
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.create_bucket(Bucket="plain")
            answer = s3.get_bucket_notification_configuration(Bucket="plain")
        self.assertNotIn("EventBridgeConfiguration", answer)


class S3LifecycleReadbackTest(unittest.TestCase):
    """No patch needed: moto reads the state bucket's lifecycle back exactly as the
    hashicorp/aws provider PUTs it (rules and the TransitionDefaultMinimumObjectSize
    header), so the provider's create waiter matches on its first read. The ~55 s that
    resource takes is the waiter's own schedule (10 s delay, then 10 matching reads
    5 s apart), the same against AWS. This guards the match on a moto upgrade: a
    mismatch would make the waiter run to its 3-minute timeout and fail."""

    def test_state_bucket_rule_reads_back_as_put(self):
        apply_patch()
        import boto3
        from moto import mock_aws

        rule = {
            "ID": "expire-old-state-versions", "Filter": {"Prefix": ""}, "Status": "Enabled",
            "NoncurrentVersionExpiration": {"NoncurrentDays": 90}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        }
        with mock_aws():
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.create_bucket(Bucket="state")
            s3.put_bucket_lifecycle_configuration(
                Bucket="state", LifecycleConfiguration={"Rules": [rule]}, TransitionDefaultMinimumObjectSize="all_storage_classes_128K")
            answer = s3.get_bucket_lifecycle_configuration(Bucket="state")
        self.assertEqual(answer["Rules"], [rule])
        self.assertEqual(answer["TransitionDefaultMinimumObjectSize"], "all_storage_classes_128K")


if __name__ == "__main__":
    unittest.main()


class InactiveKeyTest(unittest.TestCase):
    """A deactivated key must stop working, as in AWS (key rotation's retire step relies on it)."""

    @classmethod
    def setUpClass(cls):
        apply_patch()
        from moto.server import create_backend_app
        cls.sts = create_backend_app("sts").test_client()

    def _key(self):
        from moto.iam.models import iam_backends
        backend = iam_backends["123456789012"]["aws"]
        name = f"rotating-{len(backend.users)}"
        backend.create_user("us-east-1", name)
        return backend, name, backend.create_access_key(name)

    def _caller_identity(self, key_id):
        headers = {"Authorization": f"AWS4-HMAC-SHA256 Credential={key_id}/20261125/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0"}
        return self.sts.post("/", data="Action=GetCallerIdentity&Version=2011-06-15", headers=headers, content_type="application/x-www-form-urlencoded")

    def test_active_key_is_answered(self):
        _, name, key = self._key()
        response = self._caller_identity(key.access_key_id)
        self.assertEqual(response.status_code, 200)
        self.assertIn(name, response.get_data(as_text=True))

    def test_inactive_key_is_refused(self):
        backend, name, key = self._key()
        backend.update_access_key(name, key.access_key_id, "Inactive")
        response = self._caller_identity(key.access_key_id)
        self.assertEqual(response.status_code, 403)
        self.assertIn("InvalidClientTokenId", response.get_data(as_text=True))

    def test_reactivated_key_is_answered_again(self):
        backend, name, key = self._key()
        backend.update_access_key(name, key.access_key_id, "Inactive")
        backend.update_access_key(name, key.access_key_id, "Active")
        self.assertEqual(self._caller_identity(key.access_key_id).status_code, 200)


class LoggingTargetPolicyTest(unittest.TestCase):
    """A log bucket's policy in list form (as rendered here) admits S3 server access logging, as in AWS."""

    @classmethod
    def setUpClass(cls):
        apply_patch()

    def test_list_form_policy_is_a_valid_logging_target(self):
        from moto.s3.models import s3_backends
        backend = s3_backends["123456789012"]["aws"]
        backend.create_bucket("source-state", "us-east-1")
        backend.create_bucket("source-state-logs", "us-east-1")
        policy = {"Version": "2012-10-17", "Statement": [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": ["s3:*"],
            "Resource": ["arn:aws:s3:::source-state-logs", "arn:aws:s3:::source-state-logs/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }, {
            "Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": ["logging.s3.amazonaws.com"]},
            "Action": ["s3:PutObject"], "Resource": ["arn:aws:s3:::source-state-logs/*"],
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        }]}
        backend.put_bucket_policy("source-state-logs", json.dumps(policy).encode())
        backend.put_bucket_logging("source-state", {"TargetBucket": "source-state-logs", "TargetPrefix": "source-state/"})
        self.assertEqual(backend.get_bucket_logging("source-state")["TargetBucket"], "source-state-logs")

    def test_a_policy_without_the_logging_service_is_still_refused(self):
        from moto.s3.exceptions import InvalidTargetBucketForLogging
        from moto.s3.models import s3_backends
        backend = s3_backends["123456789012"]["aws"]
        backend.create_bucket("other-state", "us-east-1")
        backend.create_bucket("other-logs", "us-east-1")
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": ["s3:PutObject"], "Resource": ["arn:aws:s3:::other-logs/*"]}]}
        backend.put_bucket_policy("other-logs", json.dumps(policy).encode())
        with self.assertRaises(InvalidTargetBucketForLogging):
            backend.put_bucket_logging("other-state", {"TargetBucket": "other-logs", "TargetPrefix": "other-state/"})

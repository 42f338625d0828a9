"""moto_server with narrow corrections where it answers differently from AWS.

moto (5.2.5) evaluates only StringEquals conditions; any other operator is
taken as satisfied, and a statement whose condition fails is DENIED whatever
its Effect. So the state bucket's TLS-only policy (Deny s3:* when the Bool
aws:SecureTransport is "false") denies every request: moto never supplies
aws:SecureTransport, treats the Bool as satisfied, and applies the Deny.

AWS semantics restored here, and nothing else:
  * a condition key absent from the request context does not match, except
    for ...IfExists operators (match) and Null (matches "true");
  * a statement whose conditions do not match does not apply (NEUTRAL);
  * GetBucketNotificationConfiguration returns the EventBridgeConfiguration
    that PutBucketNotificationConfiguration stored (moto keeps it but leaves
    it out of the answer, so Terraform sees eternal drift on eventbridge);
  * ecr:GetAuthorizationToken is refused (AccessDeniedException, AWS's message)
    unless the caller's identity policies allow it, and returns a token that
    names the caller (user or assumed role) and expires 12 hours from now, as
    AWS documents, instead of moto's constant token dated 2015-01-01; the
    registry stand-in (scripts/emulator/registry) accepts only such tokens;
  * a tag pushed again in a MUTABLE repository moves to the new image and the
    old image stays, untagged (moto deleted it);
  * a request signed with an Inactive access key is refused (InvalidClientTokenId,
    UnrecognizedClientException for JSON protocols), as in AWS; moto answered
    it, so a retired key kept working (S3's own dispatch is not covered).
test_moto_patch.py proves each, and that unconditional and matching
conditional Deny statements still deny.

Deliberately not patched: the S3 lifecycle read-back. moto returns the state
bucket's rule exactly as the provider PUTs it (test_moto_patch.py guards
that); the ~55 s aws_s3_bucket_lifecycle_configuration takes to create is the
hashicorp/aws provider's own waiter (10 s delay, then 10 consecutive matching
reads 5 s apart), which it spends against AWS too. (moto always answers
TransitionDefaultMinimumObjectSize all_storage_classes_128K, AWS's default and
the only value this project sends.)
"""
import base64
from datetime import datetime, timedelta, timezone
import hashlib
import hmac
import json
import re
import sys

from moto.core.exceptions import JsonRESTError

from moto.iam import access_control
from moto.iam.access_control import IAMPolicy, IAMPolicyStatement, PermissionResult

_original = IAMPolicyStatement.is_action_permitted


def _key_matches(operator, expected, actual):
    expected_values = expected if isinstance(expected, list) else [expected]
    if actual is None:
        if operator.endswith("IfExists"):
            return True
        if operator == "Null":
            return "true" in [str(v).lower() for v in expected_values]
        return False
    if operator.startswith("StringEquals"):
        return actual in expected_values
    if operator.startswith("Bool"):
        return str(actual).lower() in [str(v).lower() for v in expected_values]
    return True  # other operators: keep moto's own (permissive) behaviour


def _conditions_match(conditions, values):
    for operator, keys in conditions.items():
        for key, expected in keys.items():
            if not _key_matches(operator, expected, values.get(key)):
                return False
    return True


def _is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
    conditions = self._statement.get("Condition")
    if conditions and not _conditions_match(conditions, incoming_condition_values or {}):
        return PermissionResult.NEUTRAL
    return _original(self, action, resource, principal, incoming_condition_values)


TOKEN_VALIDITY = timedelta(hours=12)

# The registry stand-in (scripts/emulator/registry) checks ECR tokens with the
# same key: one derived from the emulator's TLS private key, which both hold
# and nothing else does. Set by main() (or a test) through set_token_key().
_token_key = None


def set_token_key(secret: bytes):
    global _token_key
    _token_key = hashlib.sha256(b"ecr-authorization-token\0" + secret).digest()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def issue_token(principal_arn: str, account: str, expires: datetime) -> str:
    """The password half of an ECR token: who asked, for which registry, until when, signed."""
    payload = _b64url(json.dumps({"p": principal_arn, "a": account, "exp": int(expires.timestamp())}, separators=(",", ":")).encode())
    signature = _b64url(hmac.new(_token_key, payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}"


class _AccessDenied(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("AccessDeniedException", message)


def _caller(response):
    """(ARN, identity policies) of the key that signed the request; None for a key
    IAM does not know (the emulator's operator credentials, acting as the account root)."""
    from moto.iam.access_control import CreateAccessKeyFailure, create_access_key

    match = _SIGNING_KEY.search(response.headers.get("Authorization", "") or "")
    if not match:
        return None
    try:
        key = create_access_key(response.current_account, response.partition, match.group(1), dict(response.headers))
    except CreateAccessKeyFailure:
        return None
    return key.arn, key.collect_policies()


def _authorize_token_request(arn, policies):
    """AWS's evaluation for an action without resource-level permissions: an explicit
    Deny wins, else some identity policy must allow it (moto's statement matcher,
    with the condition semantics restored above)."""
    action = "ecr:GetAuthorizationToken"
    results = [IAMPolicy(p).is_action_permitted(action, "*") for p in policies]
    if PermissionResult.DENIED in results:
        reason = "with an explicit deny in an identity-based policy"
    elif PermissionResult.PERMITTED in results:
        return
    else:
        reason = f"because no identity-based policy allows the {action} action"
    raise _AccessDenied(f"User: {arn} is not authorized to perform: {action} on resource: * {reason}")


def _patch_ecr_token():
    """ecr:GetAuthorizationToken as AWS answers it: refused unless the caller's
    identity policies allow it; the token names the caller and its registry and
    expires 12 hours from now (moto's is a constant that expired in 2015)."""
    from moto.ecr.responses import ECRResponse

    original = ECRResponse.get_authorization_token
    if getattr(original, "_platform_patched", False):
        return

    def get_authorization_token(self):
        caller = _caller(self)
        if caller is not None:
            _authorize_token_request(*caller)
        arn = caller[0] if caller else f"arn:{self.partition}:iam::{self.current_account}:root"
        result = original(self)
        expires = datetime.now(timezone.utc) + TOKEN_VALIDITY
        for data in result.result["authorizationData"]:
            data["expiresAt"] = expires
            if _token_key is not None:
                registry = data["proxyEndpoint"].split("//")[1].split(".")[0]
                data["authorizationToken"] = base64.b64encode(f"AWS:{issue_token(arn, registry, expires)}".encode()).decode()
        return result

    get_authorization_token._platform_patched = True
    ECRResponse.get_authorization_token = get_authorization_token


def _patch_ecr_tag_moves():
    """Pushing a tag that another image holds in a MUTABLE repository moves the
    tag: the other image stays, untagged (or with its other tags), until a
    lifecycle rule expires it. moto deleted that image instead, so no
    repository ever held an untagged image."""
    from moto.ecr.models import ECRBackend

    original = ECRBackend.put_image
    if getattr(original, "_platform_patched", False):
        return

    def put_image(self, repository_name, image_manifest, image_tag, image_manifest_mediatype=None, digest=None):
        repository = self.repositories.get(repository_name)
        if repository is not None and image_tag is not None and repository.image_tag_mutability == "MUTABLE":
            for image in repository.images:
                if image_tag in image.image_tags and image.image_manifest != image_manifest:
                    image.remove_tag(image_tag)
                    if not image.image_tags:
                        image.image_tag = None
        return original(self, repository_name, image_manifest, image_tag, image_manifest_mediatype, digest)

    put_image._platform_patched = True
    ECRBackend.put_image = put_image


def _patch_s3_eventbridge_readback():
    from moto.s3.responses import S3Response

    original = S3Response.get_bucket_notification
    if getattr(original, "_platform_patched", False):
        return

    def get_bucket_notification(self):
        config = self.backend.get_bucket_notification_configuration(self.bucket_name)
        if not config or config.event_bridge is None:
            return original(self)
        serialize = self.serialized

        def with_eventbridge(action_result):
            action_result.result["EventBridgeConfiguration"] = {}
            return serialize(action_result)

        self.serialized = with_eventbridge
        try:
            return original(self)
        finally:
            del self.serialized

    get_bucket_notification._platform_patched = True
    S3Response.get_bucket_notification = get_bucket_notification


_SIGNING_KEY = re.compile(r"Credential=([A-Z0-9]+)/")


def _key_status(access_key_id):
    from moto.iam.models import iam_backends

    for account in list(iam_backends.values()):
        for backend in list(account.values()):
            for user in list(backend.users.values()):
                for key in user.access_keys:
                    if key.access_key_id == access_key_id:
                        return key.status
    return None


def _patch_inactive_keys_refused():
    """AWS refuses any request signed with an Inactive access key; moto (which
    runs here without request authentication) answered it, so a retired key
    kept working. Covers every service that dispatches through call_action
    (STS, ECR, SSM, IAM, KMS, ...); S3 has its own dispatch and is not covered."""
    from moto.core.responses import BaseResponse

    original = BaseResponse.call_action
    if getattr(original, "_platform_patched", False):
        return

    def call_action(self):
        match = _SIGNING_KEY.search(self.headers.get("Authorization", "") or "")
        if match and _key_status(match.group(1)) == "Inactive":
            message = "The security token included in the request is invalid."
            if self.headers.get("X-Amz-Target"):
                return 400, {"status": 400, "Content-Type": "application/x-amz-json-1.1"}, json.dumps({"__type": "UnrecognizedClientException", "message": message})
            body = f"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>{message}</Message></Error><RequestId>inactive-key</RequestId></ErrorResponse>"
            return 403, {"status": 403, "Content-Type": "text/xml"}, body
        return original(self)

    call_action._platform_patched = True
    BaseResponse.call_action = call_action


def _patch_logging_policy_lists():
    """A bucket policy may give one principal or resource as a one-element list,
    as the platform's policy renderer does, and may hold statements whose
    principal is "*"; AWS reads all of these alike. moto's check of the logging
    service's permission on a log bucket compares with the single-value form
    only, and fails on a "*" principal, so it refused such a bucket as a target."""
    from types import SimpleNamespace

    from moto.s3.models import FakeBucket

    original = FakeBucket._log_permissions_enabled_policy
    if getattr(original, "_platform_patched", False):
        return

    def single(value):
        return value[0] if isinstance(value, list) and len(value) == 1 else value

    def _log_permissions_enabled_policy(target_bucket, target_prefix):
        if not target_bucket.policy:
            return original(target_bucket, target_prefix)
        doc = json.loads(target_bucket.policy.decode())
        # moto reads Principal as a mapping and fails on "*" (a TLS-only Deny, say), which can grant nothing here.
        doc["Statement"] = [st for st in doc.get("Statement", []) if isinstance(st.get("Principal"), dict)]
        for statement in doc["Statement"]:
            if isinstance(statement.get("Principal"), dict) and "Service" in statement["Principal"]:
                statement["Principal"]["Service"] = single(statement["Principal"]["Service"])
            if "Resource" in statement:
                statement["Resource"] = single(statement["Resource"])
        view = SimpleNamespace(policy=json.dumps(doc).encode(), partition=target_bucket.partition, name=target_bucket.name)
        return original(view, target_prefix)

    _log_permissions_enabled_policy._platform_patched = True
    FakeBucket._log_permissions_enabled_policy = staticmethod(_log_permissions_enabled_policy)


def apply_patch():
    IAMPolicyStatement.is_action_permitted = _is_action_permitted
    assert access_control.IAMPolicyStatement.is_action_permitted is _is_action_permitted
    _patch_ecr_token()
    _patch_ecr_tag_moves()
    _patch_s3_eventbridge_readback()
    _patch_inactive_keys_refused()
    _patch_logging_policy_lists()


def _key_file(argv):
    for flag in ("-k", "--ssl-key"):
        if flag in argv and argv.index(flag) + 1 < len(argv):
            return argv[argv.index(flag) + 1]
    return None


if __name__ == "__main__":
    apply_patch()
    if _key_file(sys.argv[1:]):
        with open(_key_file(sys.argv[1:]), "rb") as f:
            set_token_key(f.read())
    from moto.server import main

    main(sys.argv[1:])

@echo off
rem Build, tag and push a service image to its environment's ECR repository (seed 000), Windows.
rem   scripts\ecr-deploy.cmd [--cli docker^|podman] <env> <service> [build context, default .]
rem CONTAINER_CLI (docker by default, or podman) picks the container CLI; --cli wins.
rem Same steps and exit codes as scripts/ecr-deploy.sh: reads the Terraform outputs
rem of cdktf.out\stacks\<env>, logs in with the ECR user's keys, builds, tags with
rem IMAGE_TAG or the commit (and latest unless tags are immutable), pushes.
rem Nothing secret is echoed: the keys live only in this script's environment.
setlocal EnableExtensions EnableDelayedExpansion

if "%CONTAINER_CLI%"=="" set "CONTAINER_CLI=docker"
if "%~1"=="--cli" (
  set "CONTAINER_CLI=%~2"
  shift
  shift
)
if /i not "%CONTAINER_CLI%"=="docker" if /i not "%CONTAINER_CLI%"=="podman" (
  echo ecr-deploy: unsupported container CLI '%CONTAINER_CLI%': docker or podman 1>&2
  exit /b 2
)
if "%~2"=="" (
  echo ecr-deploy: usage: scripts\ecr-deploy.cmd [--cli docker^|podman] ^<env^> ^<service^> [build context] 1>&2
  exit /b 2
)
set "ENV_NAME=%~1"
set "SERVICE=%~2"
set "CONTEXT=%~3"
if "%CONTEXT%"=="" set "CONTEXT=."
if "%STACKS_DIR%"=="" set "STACKS_DIR=cdktf.out\stacks"
set "STACK=%STACKS_DIR%\%ENV_NAME%"
set "CREDENTIALS_STACK=%STACKS_DIR%\%ENV_NAME%-credentials"

rem 1. dependencies
set "MISSING="
where aws >nul 2>nul || set "MISSING=!MISSING! aws"
where %CONTAINER_CLI% >nul 2>nul || set "MISSING=!MISSING! %CONTAINER_CLI%"
if "%TF_BINARY%"=="" (
  where tofu >nul 2>nul && set "TF_BINARY=tofu"
)
if "%TF_BINARY%"=="" (
  where terraform >nul 2>nul && set "TF_BINARY=terraform"
)
if "%TF_BINARY%"=="" set "MISSING=!MISSING! tofu-or-terraform"
if not "%MISSING%"=="" (
  echo ecr-deploy: missing dependencies:%MISSING% 1>&2
  exit /b 3
)
if not exist "%STACK%\" (
  echo ecr-deploy: no synthesized stack at %STACK%: run npm run synth and deploy the environment first 1>&2
  exit /b 4
)

rem 2. outputs
set "KEY=%SERVICE:-=_%"
call :output "%KEY%_repository_url" REPOSITORY_URL || (echo ecr-deploy: no output %KEY%_repository_url in %STACK% 1>&2 & exit /b 4)
call :output region REGION || (echo ecr-deploy: no output region in %STACK% 1>&2 & exit /b 4)
call :output ecr_registry REGISTRY || (echo ecr-deploy: no output ecr_registry in %STACK% 1>&2 & exit /b 4)
call :output image_tag_mutability MUTABILITY || set "MUTABILITY=IMMUTABLE"

rem 3. credentials
if not "%ECR_USE_AMBIENT_CREDENTIALS%"=="1" (
  call :credential ecr_aws_access_key_id AWS_ACCESS_KEY_ID || (echo ecr-deploy: cannot read ecr_aws_access_key_id from %ENV_NAME%-credentials 1>&2 & exit /b 5)
  call :credential ecr_aws_secret_access_key AWS_SECRET_ACCESS_KEY || (echo ecr-deploy: cannot read ecr_aws_secret_access_key from %ENV_NAME%-credentials 1>&2 & exit /b 5)
  set "AWS_SESSION_TOKEN="
  echo ecr-deploy: using the ECR user's credentials of %ENV_NAME%
)

rem 4. login, in two steps so that a failure names the one that failed; the token stays in a temp file of this user only
echo ecr-deploy: logging in to %REGISTRY% (%REGION%) with %CONTAINER_CLI%
set "TOKEN_FILE=%TEMP%\ecr-deploy-%RANDOM%%RANDOM%.tok"
aws ecr get-login-password --region %REGION% > "%TOKEN_FILE%"
if errorlevel 1 (
  del /q "%TOKEN_FILE%" 2>nul
  echo ecr-deploy: ecr:GetAuthorizationToken failed ^(aws ecr get-login-password^): explain the error above with npm run doctor -- explain %ENV_NAME% "<error>" 1>&2
  exit /b 6
)
%CONTAINER_CLI% login --username AWS --password-stdin %REGISTRY% < "%TOKEN_FILE%" >nul
set "LOGIN_FAILED=%ERRORLEVEL%"
del /q "%TOKEN_FILE%" 2>nul
if not "%LOGIN_FAILED%"=="0" (
  echo ecr-deploy: %CONTAINER_CLI% login to %REGISTRY% failed after the token was issued ^(ecr:GetAuthorizationToken succeeded^): the registry refused the token or could not be reached; npm run doctor -- explain %ENV_NAME% "<error>" 1>&2
  exit /b 6
)

rem 5. build and tag
if "%IMAGE_TAG%"=="" for /f %%c in ('git rev-parse --short HEAD 2^>nul') do set "IMAGE_TAG=%%c"
if "%IMAGE_TAG%"=="" (
  echo ecr-deploy: no IMAGE_TAG given and not in a git repository 1>&2
  exit /b 2
)
set "TAGS=-t %REPOSITORY_URL%:%IMAGE_TAG%"
if /i "%MUTABILITY%"=="MUTABLE" (set "TAGS=!TAGS! -t %REPOSITORY_URL%:latest") else (echo ecr-deploy: tags are immutable in %ENV_NAME%: pushing %IMAGE_TAG% only)
set "DOCKERFILE_ARG="
if not "%DOCKERFILE%"=="" set "DOCKERFILE_ARG=-f %DOCKERFILE%"
echo ecr-deploy: building %REPOSITORY_URL%:%IMAGE_TAG%
%CONTAINER_CLI% build %TAGS% %DOCKERFILE_ARG% "%CONTEXT%" || (echo ecr-deploy: %CONTAINER_CLI% build failed 1>&2 & exit /b 7)

rem 6. push
%CONTAINER_CLI% push %REPOSITORY_URL%:%IMAGE_TAG% || (echo ecr-deploy: %CONTAINER_CLI% push failed: npm run doctor -- explain %ENV_NAME% "<error>" 1>&2 & exit /b 8)
if /i "%MUTABILITY%"=="MUTABLE" (
  %CONTAINER_CLI% push %REPOSITORY_URL%:latest || (echo ecr-deploy: %CONTAINER_CLI% push of latest failed 1>&2 & exit /b 8)
)
echo ecr-deploy: done
exit /b 0

:output
rem Sets variable %2 to the raw Terraform output %1; errorlevel 1 when absent.
set "%~2="
for /f "usebackq delims=" %%v in (`"%TF_BINARY%" -chdir^="%STACK%" output -raw %~1 2^>nul`) do set "%~2=%%v"
if defined %~2 (exit /b 0) else (exit /b 1)

:credential
rem The same for the credentials stack, the only one whose outputs hold the keys.
set "%~2="
for /f "usebackq delims=" %%v in (`"%TF_BINARY%" -chdir^="%CREDENTIALS_STACK%" output -raw %~1 2^>nul`) do set "%~2=%%v"
if defined %~2 (exit /b 0) else (exit /b 1)

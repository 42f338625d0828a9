@echo off
rem Build, tag and push a service image to its environment's ECR repository (seed 000), Windows.
rem   scripts\ecr-deploy.cmd <env> <service> [build context, default .]
rem Same steps and exit codes as scripts/ecr-deploy.sh: reads the Terraform outputs
rem of cdktf.out\stacks\<env>, logs in with the ECR user's keys, builds, tags with
rem IMAGE_TAG or the commit (and latest unless tags are immutable), pushes.
rem Nothing secret is echoed: the keys live only in this script's environment.
setlocal EnableExtensions EnableDelayedExpansion

if "%~2"=="" (
  echo ecr-deploy: usage: scripts\ecr-deploy.cmd ^<env^> ^<service^> [build context] 1>&2
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
where docker >nul 2>nul || set "MISSING=!MISSING! docker"
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

rem 4. login
echo ecr-deploy: logging in to %REGISTRY% (%REGION%)
aws ecr get-login-password --region %REGION% | docker login --username AWS --password-stdin %REGISTRY% >nul
if errorlevel 1 (
  echo ecr-deploy: docker login to %REGISTRY% failed: run npm run doctor -- %ENV_NAME% --service %SERVICE% --online 1>&2
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
docker build %TAGS% %DOCKERFILE_ARG% "%CONTEXT%" || (echo ecr-deploy: docker build failed 1>&2 & exit /b 7)

rem 6. push
docker push %REPOSITORY_URL%:%IMAGE_TAG% || (echo ecr-deploy: docker push failed: npm run doctor -- %ENV_NAME% --service %SERVICE% --online 1>&2 & exit /b 8)
if /i "%MUTABILITY%"=="MUTABLE" (
  docker push %REPOSITORY_URL%:latest || (echo ecr-deploy: docker push of latest failed 1>&2 & exit /b 8)
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

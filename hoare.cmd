@echo off
rem hoare.cmd [ARGS...]: Windows twin of ./hoare. Runs the hoare command (examples\target\hoare.jar)
rem on a JDK 21+ found by .mvn\find-jdk.ps1 (JAVA_HOME, the java on PATH, then the usual install
rem folders), building the jar first (mvnw.cmd -q -B -DskipTests -pl examples -am package) when it is
rem missing or older than any file under a src\ folder or any pom.xml. Arguments pass through; the
rem exit code is the command's. (Hoare's fifo: and shm: transports need Linux or macOS.)
setlocal
set "HOARE_ROOT=%~dp0"
set "HOARE_JAR=%HOARE_ROOT%examples\target\hoare.jar"
set "HOARE_JDK="
for /f "usebackq delims=" %%J in (`powershell -NoProfile -ExecutionPolicy Bypass -File "%HOARE_ROOT%.mvn\find-jdk.ps1" 21`) do set "HOARE_JDK=%%J"
if not defined HOARE_JDK exit /b 1

powershell -NoProfile -Command "$jar = '%HOARE_JAR%'; if (-not (Test-Path $jar)) { exit 1 }; $t = (Get-Item $jar).LastWriteTime; $newer = Get-ChildItem -Recurse -File -Path '%HOARE_ROOT%.' | Where-Object { $_.FullName -notmatch '\\(target|\.git)\\' -and ($_.Name -eq 'pom.xml' -or $_.FullName -match '\\src\\') -and $_.LastWriteTime -gt $t } | Select-Object -First 1; if ($newer) { exit 1 } else { exit 0 }"
if not errorlevel 1 goto run

echo hoare: building examples\target\hoare.jar with %HOARE_JDK% 1>&2
pushd "%HOARE_ROOT%"
set "JAVA_HOME=%HOARE_JDK%"
call mvnw.cmd -q -B -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -pl examples -am package 1>&2 || (popd & echo hoare: the build failed, see above 1>&2 & exit /b 1)
popd

:run
"%HOARE_JDK%\bin\java.exe" -jar "%HOARE_JAR%" %*
exit /b %ERRORLEVEL%

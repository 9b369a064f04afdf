# Windows twin of .mvn/find-jdk.sh, for hoare.cmd: prints the home of a JDK whose feature version
# is the first argument (default 21) or more: JAVA_HOME if it is one, else the JDK of the java on
# PATH if it is one, else the newest under %ProgramFiles%\Java, Eclipse Adoptium, Microsoft, Zulu,
# Amazon Corretto, ~\.jdks, ~\scoop\apps. With none, it says where it looked and exits 1.
param([int]$Min = 21)

function Get-JdkMajor([string]$JdkHome) {
    if (-not $JdkHome -or -not (Test-Path (Join-Path $JdkHome 'bin\javac.exe'))) { return 0 }
    $release = Join-Path $JdkHome 'release'
    if (-not (Test-Path $release)) { return 0 }
    $m = Select-String -Path $release -Pattern '^JAVA_VERSION="(1\.)?(\d+)'
    if ($m) { return [int]$m.Matches[0].Groups[2].Value }
    return 0
}

$first = @()
if ($env:JAVA_HOME) { $first += $env:JAVA_HOME }
$java = Get-Command java.exe -ErrorAction SilentlyContinue
if ($java) { $first += (Split-Path (Split-Path $java.Source)) }
foreach ($h in $first) {
    if ((Get-JdkMajor $h) -ge $Min) { Write-Output $h; exit 0 }
}

$best = $null; $bestV = 0
$dirs = @("$env:ProgramFiles\Java", "$env:ProgramFiles\Eclipse Adoptium", "$env:ProgramFiles\Microsoft",
          "$env:ProgramFiles\Zulu", "$env:ProgramFiles\Amazon Corretto", "$env:USERPROFILE\.jdks",
          "$env:USERPROFILE\scoop\apps")
foreach ($d in $dirs) {
    if (Test-Path $d) {
        foreach ($h in (Get-ChildItem -Directory $d)) {
            $v = Get-JdkMajor $h.FullName
            if ($v -gt $bestV) { $bestV = $v; $best = $h.FullName }
        }
    }
}
if ($bestV -ge $Min) { Write-Output $best; exit 0 }
[Console]::Error.WriteLine("Hoare needs a JDK $Min or newer and found none. Looked at JAVA_HOME, the java on PATH, " +
    ($dirs -join ', ') + ". Install a JDK $Min+ there, or set JAVA_HOME to one.")
exit 1

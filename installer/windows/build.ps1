# Build the Windows installer of the Returns Reconciliation Workbench (PowerShell, from the
# repository root, on Windows 10/11 x64 with Python 3.11 and Inno Setup 6 installed):
#
#     powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1
#
# Output: installer\dist\returns-workbench-VER-windows-x64-setup.exe
# NOT run on this project's Linux machines: see installer\README.md.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$venv = "installer\build\venv-win"
if (-not (Test-Path "$venv\Scripts\python.exe")) { py -3.11 -m venv $venv }
& "$venv\Scripts\python.exe" -m pip install -q --upgrade pip
# Pillow only lets PyInstaller turn the PNG icon into an .ico; it is not bundled.
& "$venv\Scripts\python.exe" -m pip install -q --upgrade ".[postgres]" "pyinstaller>=6.10,<7" pillow
& "$venv\Scripts\python.exe" -m pip show PySide6-Addons 2>$null
if ($LASTEXITCODE -eq 0) { throw "PySide6-Addons is installed in $venv: recreate it (Essentials only)" }

$env:QT_QPA_PLATFORM = "offscreen"
& "$venv\Scripts\python.exe" installer\tools\render_icons.py resources\icons\app.svg installer\build\icons
& "$venv\Scripts\python.exe" -c "from PIL import Image; Image.open('installer/build/icons/app-256.png').save('installer/build/icons/app.ico', sizes=[(16,16),(24,24),(32,32),(48,48),(64,64),(128,128),(256,256)])"
Remove-Item Env:QT_QPA_PLATFORM

$env:WORKBENCH_ICON = (Resolve-Path "installer\build\icons\app.ico").Path
& "$venv\Scripts\pyinstaller.exe" --noconfirm --clean --distpath installer\dist --workpath installer\build\work installer\workbench.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

$version = (& "installer\dist\returns-workbench\workbench.exe" --version).Split(" ")[-1]
$iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
if (-not (Test-Path $iscc)) { $iscc = "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe" }
& $iscc "/DAppVersion=$version" installer\windows\returns-workbench.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Get-ChildItem installer\dist\*.exe | Format-Table Name, @{n="MB";e={[math]::Round($_.Length / 1MB, 1)}}

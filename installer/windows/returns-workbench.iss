; Inno Setup 6 script: per-user installer of the Returns Reconciliation Workbench for Windows.
; Built by installer\windows\build.ps1 after PyInstaller has written
; installer\dist\returns-workbench\ (ReturnsWorkbench.exe windowed, workbench.exe console).
;   iscc /DAppVersion=0.1.0 installer\windows\returns-workbench.iss
; NOT built or tested on this project's Linux machines (see installer\README.md).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Returns Reconciliation Workbench"
#define AppExe "ReturnsWorkbench.exe"
#define SourceDir "..\dist\returns-workbench"

[Setup]
AppId={{6F0D4C1E-3B7A-4E59-9C0B-2A1D5E8F7C31}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Returns Workbench team
DefaultDirName={localappdata}\Programs\Returns Workbench
DefaultGroupName=Returns Workbench
DisableProgramGroupPage=yes
; per-user install: no administrator rights, nothing written outside the user's profile
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\dist
OutputBaseFilename=returns-workbench-{#AppVersion}-windows-x64-setup
SetupIconFile=..\build\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\Returns Workbench\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{userprograms}\Returns Workbench\Uninstall {#AppName}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Registry]
; .rwb workbooks open in the workbench (per user: HKCU\Software\Classes, no admin needed)
Root: HKCU; Subkey: "Software\Classes\.rwb"; ValueType: string; ValueName: ""; ValueData: "ReturnsWorkbench.Workbook"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.rwb\OpenWithProgids"; ValueType: string; ValueName: "ReturnsWorkbench.Workbook"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\ReturnsWorkbench.Workbook"; ValueType: string; ValueName: ""; ValueData: "Returns Workbench workbook"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\ReturnsWorkbench.Workbook\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKCU; Subkey: "Software\Classes\ReturnsWorkbench.Workbook\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" gui --db ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

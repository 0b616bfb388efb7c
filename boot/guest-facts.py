"""Boot test: what the machine looks like to its admin user, printed as JSON. Run by the host over SSH as the
admin user (`python3 - < guest-facts.py`); only the journal and cloud-init's status need sudo. It reads,
it never changes anything, and it prints no credential (of ~/.docker/config.json only the registries)."""
import hashlib
import json
import os
import subprocess


def sh(command):
    result = subprocess.run(command, shell=True, capture_output=True, text=True)
    return {"status": result.returncode, "out": result.stdout, "err": result.stderr}


def show(unit, properties):
    out = sh(f"systemctl show {unit} --no-pager -p {','.join(properties)}")["out"]
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def docker_config_registries():
    try:
        with open(os.path.expanduser("~/.docker/config.json")) as file:
            config = json.load(file)
    except (OSError, ValueError) as error:
        return {"error": str(error)}
    return {"auths": sorted(config.get("auths", {})), "credsStore": config.get("credsStore")}


def directory(path):
    """Every file under path: name -> sha256, so any change shows."""
    path = os.path.expanduser(path)
    if not os.path.isdir(path):
        return None
    files = {}
    for root, _, names in os.walk(path):
        for name in names:
            full = os.path.join(root, name)
            with open(full, "rb") as file:
                files[os.path.relpath(full, path)] = hashlib.sha256(file.read()).hexdigest()
    return files


def sha256(path):
    try:
        with open(path, "rb") as file:
            return hashlib.sha256(file.read()).hexdigest()
    except OSError:
        return None


images = sh("docker images --format '{{.Repository}}:{{.Tag}}'")
print(json.dumps({
    "user": sh("id -un")["out"].strip(),
    "groups": sh("id -Gn")["out"].split(),
    "boot_id": open("/proc/sys/kernel/random/boot_id").read().strip(),
    "docker_images": {"status": images["status"], "images": images["out"].split(), "err": images["err"]},
    "service": show("acr-login.service", ["ActiveState", "SubState", "Result", "ExecMainStatus", "ExecMainStartTimestamp",
                                          "ExecMainStartTimestampMonotonic", "ExecMainExitTimestamp", "User", "LoadState"]),
    "timer": show("acr-login.timer", ["ActiveState", "SubState", "UnitFileState", "LoadState", "NextElapseUSecRealtime",
                                      "NextElapseUSecMonotonic", "LastTriggerUSec"]),
    "docker_config": docker_config_registries(),
    "azure_dir": directory("~/.azure"),
    "azure_marker": open(os.path.expanduser("~/.azure/boot-test-marker")).read()
    if os.path.exists(os.path.expanduser("~/.azure/boot-test-marker")) else None,
    "cloud_init": sh("sudo cloud-init status --long"),
    "az": {"path": sh("command -v az")["out"].strip(), "sha256": sha256("/usr/bin/az"),
           "package": sh("dpkg-query -W -f '${Status} ${Version}' azure-cli")["out"]},
}))

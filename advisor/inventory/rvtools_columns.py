"""Standard RVTools columns per tab (3.x to 4.7), as normalised header keys.

A vInfo header whose key is not listed here is a vCenter custom attribute (backup tool,
owner, cost centre, ...) and is kept as `attr.<header>`; listed headers that advisor does not
read are reported as "standard column, not used". Keys come from `headers.header_key`, so
"Provisioned MB" and "Provisioned MiB" share the key "provisioned".
"""

from __future__ import annotations


def _keys(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The per-VM columns every detail tab repeats after its own columns.
_VM_CONTEXT = (
    "vm powerstate template srmplaceholder annotation datacenter cluster host folder "
    "osaccordingtotheconfigurationfile osaccordingtothevmwaretools vmid vmuuid vmref "
    "visdkserver visdkuuid vcenteruuid internalsortcolumn"
)

STANDARD: dict[str, frozenset[str]] = {
    "vInfo": _keys(
        _VM_CONTEXT + " activememory bootbiossetup bootdelay bootrequired bootretrydelay "
        "bootretryenabled cbt changeversion clusterrulenames clusterrules configstatus "
        "connectionstate consolidationneeded cpus creationdate customizationinfo dasprotection "
        "disks dnsname efisecureboot enableuuid diskenableuuid firmware fixedpassthruhotplug "
        "folderid ftbandwidth ftlatency ftrole ftseclatency ftstate guestdetaileddata gueststate "
        "haisolationresponse harestartpriority havmmonitoring heartbeat hwtarget hwupgradepolicy "
        "hwupgradestatus hwversion inuse latencysensitivity logdirectory memory "
        "minrequiredevcmodekey networknum1 networknum2 networknum3 networknum4 networknum5 "
        "networknum6 networknum7 networknum8 nics nummonitors opnotificationtimeout "
        "overallcpureadiness path poweron primaryipaddress provisioned rebootpoweroff "
        "resourcepool smbiosuuid snapshotdirectory suspenddirectory suspendedtomemory "
        "suspendinterval suspendtime totaldiskcapacity unshared vapp videoram visdkapiversion "
        "visdkservertype vmfailoverinprogress"
    ),
    "vDisk": _keys(
        _VM_CONTEXT + " capacity controller disk diskkey diskmode diskpath diskuuid eagerlyscrub "
        "label level limit path raw rawcompmode rawlunid reservation scsiunitnum sharedbus shares "
        "sharingmode split thin unitnum writethrough"
    ),
    "vPartition": _keys(_VM_CONTEXT + " capacity consumed disk diskkey free freepct"),
    "vSnapshot": _keys(
        _VM_CONTEXT + " datetime description filename name quiesced sizetotal sizevmsn state"
    ),
    "vNetwork": _keys(
        _VM_CONTEXT + " adapter connected directpathio ipaddress ipv4address ipv6address "
        "macaddress network niclabel startsconnected switch type"
    ),
    "vUSB": _keys(
        _VM_CONTEXT + " autoconnect busnumber connected devicenode devicetype ehcienabled family "
        "speed unitnumber"
    ),
    "vCD": _keys(_VM_CONTEXT + " connected devicenode devicetype select startsconnected"),
    "vHost": _keys(
        "assignedlicenses atsheartbeat atslocking autodeploymachineidentity biosdate biosvendor "
        "biosversion boottime certificateexpirydate certificateissuer certificatestartdate "
        "certificatestatus certificatesubject cluster compliancecheckstate configstatus console "
        "corespercpu cpumodel cpuusagepct currentcpupowermanpolicy currentevc datacenter dhcp "
        "dnssearchorder dnsservers domain domainlist esxversion gmtoffset host hostpowerpolicy "
        "htactive htavailable inmaintenancemode inquarantinemode maxevc memorytieringtype "
        "memoryusagepct model ntpdrunning ntpservers numcores numcpu numhbas nummemory numnics "
        "numvcpus numvms numvmstotal objectid oemspecificstring serialnumber servicetag speed "
        "storagevmotionsupport supportedcpupowerman timezone timezonename uuid vcpuspercore vendor "
        "visdkserver visdkuuid vmmemoryballooned vmmemoryswapped vmotionsupport vmspercore "
        "vmusedmemory vram vsanfaultdomainname"
    ),
    "vTools": _keys(
        _VM_CONTEXT + " appstatus heartbeatstatus interactiveguest kernelcrashstate operationready "
        "requiredversion statechangesupport synctime tools toolsversion upgrade upgradeable "
        "upgradepolicy vmversion"
    ),
    "vCPU": _keys(
        _VM_CONTEXT + " cpus coresps drsentitlement entitlement hotadd hotremove level limit max "
        "numahotaddexposed overall reservation shares sockets"
    ),
    "vMemory": _keys(
        _VM_CONTEXT + " active ballooned consumed consumedoverhead drsentitlement entitlement "
        "hotadd level limit max memoryreservationlockedtomax overhead private reservation shared "
        "shares size swapped"
    ),
    "vMetaData": _keys("rvtoolsmajorversion rvtoolsversion server xlsxcreationdatetime"),
}

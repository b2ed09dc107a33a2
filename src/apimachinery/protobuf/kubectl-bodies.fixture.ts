/**
 * Request bodies captured from stock kubectl v1.32.4 (client-go) talking to a recording stub server: the exact bytes
 * it POSTs/DELETEs with Content-Type application/vnd.kubernetes.protobuf. `json` is what the body must decode to:
 * for the `kubectl create ...` commands it is kubectl's own JSON encoding of the same object
 * (`--dry-run=client -o json`), i.e. the JSON body a JSON client would have sent. For debug-copy-pod and job-from-cronjob
 * it is the JSON object kubectl was served and copied (with the fields kubectl itself rewrites); the remaining few
 * (DeleteOptions, reviews, TokenRequest) were checked by hand against the command line.
 */
export interface CapturedBody {
  name: string;
  command: string;
  /** hex of the request body */
  hex: string;
  json: Record<string, unknown>;
  /** json is kubectl's own --dry-run=client -o json output */
  fromKubectlJson: boolean;
}

export const KUBECTL_BODIES: CapturedBody[] = [
  {
    name: "namespace",
    command: "kubectl create namespace foo",
    hex: "6b3873000a0f0a02763112094e616d657370616365121b0a130a03666f6f12001a0022002a0032003800420012001a020a001a002200",
    json: {"kind": "Namespace","apiVersion": "v1","metadata": {"name": "foo","creationTimestamp": null},"spec": {},"status": {}},
    fromKubectlJson: true,
  },
  {
    name: "configmap",
    command: "kubectl create configmap cm1 --from-literal=a=b --from-literal=c=d",
    hex: "6b3873000a0f0a0276311209436f6e6669674d617012250a130a03636d3112001a0022002a0032003800420012060a016112016212060a01631201641a002200",
    json: {"kind": "ConfigMap","apiVersion": "v1","metadata": {"name": "cm1","creationTimestamp": null},"data": {"a": "b","c": "d"}},
    fromKubectlJson: true,
  },
  {
    name: "configmap-binary",
    command: "kubectl create configmap cm2 --from-file=bin=<bytes 62 69 6e 00 ff 01> --from-literal=x=y",
    hex: "6b3873000a0f0a0276311209436f6e6669674d6170122c0a130a03636d3212001a0022002a0032003800420012060a01781201791a0d0a0362696e120662696e00ff011a002200",
    json: {"kind": "ConfigMap","apiVersion": "v1","metadata": {"name": "cm2","creationTimestamp": null},"data": {"x": "y"},"binaryData": {"bin": "YmluAP8B"}},
    fromKubectlJson: true,
  },
  {
    name: "secret",
    command: "kubectl create secret generic s1 --from-literal=user=admin --from-literal=pw=p@ss",
    hex: "6b3873000a0c0a027631120653656372657412310a120a02733112001a0022002a00320038004200120a0a027077120470407373120d0a0475736572120561646d696e1a001a002200",
    json: {"kind": "Secret","apiVersion": "v1","metadata": {"name": "s1","creationTimestamp": null},"data": {"pw": "cEBzcw==","user": "YWRtaW4="}},
    fromKubectlJson: true,
  },
  {
    name: "deployment",
    command: "kubectl create deployment web --image=nginx:1.25 --replicas=3 --port=8080",
    hex: "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412be010a1f0a0377656212001a0022002a003200380042005a0a0a036170701203776562128c010803120c0a0a0a0361707012037765621a720a1c0a0012001a0022002a003200380042005a0a0a036170701203776562125212340a056e67696e78120a6e67696e783a312e32352a00320b0a00100018903f22002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
    json: {"kind": "Deployment","apiVersion": "apps/v1","metadata": {"name": "web","creationTimestamp": null,"labels": {"app": "web"}},"spec": {"replicas": 3,"selector": {"matchLabels": {"app": "web"}},"template": {"metadata": {"creationTimestamp": null,"labels": {"app": "web"}},"spec": {"containers": [{"name": "nginx","image": "nginx:1.25","ports": [{"containerPort": 8080}],"resources": {}}]}},"strategy": {}},"status": {}},
    fromKubectlJson: true,
  },
  {
    name: "deployment-zero",
    command: "kubectl create deployment zero --image=busybox --replicas=0 -- sleep 3600",
    hex: "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c1010a210a047a65726f12001a0022002a003200380042005a0b0a0361707012047a65726f128d010800120d0a0b0a0361707012047a65726f1a720a1d0a0012001a0022002a003200380042005a0b0a0361707012047a65726f125112330a0762757379626f78120762757379626f781a05736c6565701a04333630302a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
    json: {"kind": "Deployment","apiVersion": "apps/v1","metadata": {"name": "zero","creationTimestamp": null,"labels": {"app": "zero"}},"spec": {"replicas": 0,"selector": {"matchLabels": {"app": "zero"}},"template": {"metadata": {"creationTimestamp": null,"labels": {"app": "zero"}},"spec": {"containers": [{"name": "busybox","image": "busybox","command": ["sleep","3600"],"resources": {}}]}},"strategy": {}},"status": {}},
    fromKubectlJson: true,
  },
  {
    name: "job",
    command: "kubectl create job j1 --image=busybox -- echo hi",
    hex: "6b3873000a0f0a0862617463682f763112034a6f621284010a120a026a3112001a0022002a00320038004200126432620a100a0012001a0022002a00320038004200124e122b0a026a31120762757379626f781a046563686f1a0268692a0042006a007200800100880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a0100c201001a082000280030003a001a002200",
    json: {"kind": "Job","apiVersion": "batch/v1","metadata": {"name": "j1","creationTimestamp": null},"spec": {"template": {"metadata": {"creationTimestamp": null},"spec": {"containers": [{"name": "j1","image": "busybox","command": ["echo","hi"],"resources": {}}],"restartPolicy": "Never"}}},"status": {}},
    fromKubectlJson: true,
  },
  {
    name: "cronjob",
    command: "kubectl create cronjob cj1 --image=busybox --schedule='*/5 * * * *' -- date",
    hex: "6b3873000a130a0862617463682f7631120743726f6e4a6f6212a7010a130a03636a3112001a0022002a00320038004200128d010a0b2a2f35202a202a202a202a1a002a7c0a130a03636a3112001a0022002a00320038004200126532630a100a0012001a0022002a00320038004200124f12280a03636a31120762757379626f781a04646174652a0042006a007200800100880100900100a201001a094f6e4661696c757265320042004a0052005800600068008201008a01009a0100c201001a001a002200",
    json: {"kind": "CronJob","apiVersion": "batch/v1","metadata": {"name": "cj1","creationTimestamp": null},"spec": {"schedule": "*/5 * * * *","jobTemplate": {"metadata": {"name": "cj1","creationTimestamp": null},"spec": {"template": {"metadata": {"creationTimestamp": null},"spec": {"containers": [{"name": "cj1","image": "busybox","command": ["date"],"resources": {}}],"restartPolicy": "OnFailure"}}}}},"status": {}},
    fromKubectlJson: true,
  },
  {
    name: "service",
    command: "kubectl create service clusterip svc1 --tcp=80:8080 --tcp=443:https",
    hex: "6b3873000a0d0a0276311207536572766963651290010a210a047376633112001a0022002a003200380042005a0b0a0361707012047376633112670a1b0a0738302d38303830120354435018502207080010903f1a0028000a220a093434332d6874747073120354435018bb03220b080110001a0568747470732800120b0a036170701204737663311a002209436c757374657249503a00420052005a00600068001a020a001a002200",
    json: {"kind": "Service","apiVersion": "v1","metadata": {"name": "svc1","creationTimestamp": null,"labels": {"app": "svc1"}},"spec": {"ports": [{"name": "80-8080","protocol": "TCP","port": 80,"targetPort": 8080},{"name": "443-https","protocol": "TCP","port": 443,"targetPort": "https"}],"selector": {"app": "svc1"},"type": "ClusterIP"},"status": {"loadBalancer": {}}},
    fromKubectlJson: true,
  },
  {
    name: "service-nodeport",
    command: "kubectl create service nodeport np1 --tcp=80:8080 --node-port=30080",
    hex: "6b3873000a0d0a027631120753657276696365126a0a1f0a036e703112001a0022002a003200380042005a0a0a0361707012036e703112430a1d0a0738302d38303830120354435018502207080010903f1a002880eb01120a0a0361707012036e70311a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200",
    json: {"kind": "Service","apiVersion": "v1","metadata": {"name": "np1","creationTimestamp": null,"labels": {"app": "np1"}},"spec": {"ports": [{"name": "80-8080","protocol": "TCP","port": 80,"targetPort": 8080,"nodePort": 30080}],"selector": {"app": "np1"},"type": "NodePort"},"status": {"loadBalancer": {}}},
    fromKubectlJson: true,
  },
  {
    name: "serviceaccount",
    command: "kubectl create serviceaccount sa1",
    hex: "6b3873000a140a027631120e536572766963654163636f756e7412150a130a0373613112001a0022002a003200380042001a002200",
    json: {"kind": "ServiceAccount","apiVersion": "v1","metadata": {"name": "sa1","creationTimestamp": null}},
    fromKubectlJson: true,
  },
  {
    name: "role",
    command: "kubectl create role r1 --verb=get,list --resource=pods,configmaps",
    hex: "6b3873000a240a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311204526f6c6512350a120a02723112001a0022002a00320038004200121f0a036765740a046c69737412001a04706f64731a0a636f6e6669676d6170731a002200",
    json: {"kind": "Role","apiVersion": "rbac.authorization.k8s.io/v1","metadata": {"name": "r1","creationTimestamp": null},"rules": [{"verbs": ["get","list"],"apiGroups": [""],"resources": ["pods","configmaps"]}]},
    fromKubectlJson: true,
  },
  {
    name: "rolebinding",
    command: "kubectl create rolebinding rb1 --role=r1 --user=alice --serviceaccount=default:sa1",
    hex: "6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b526f6c6542696e64696e67128a010a130a0372623112001a0022002a00320038004200122a0a04557365721219726261632e617574686f72697a6174696f6e2e6b38732e696f1a05616c696365220012200a0e536572766963654163636f756e7412001a03736131220764656661756c741a250a19726261632e617574686f72697a6174696f6e2e6b38732e696f1204526f6c651a0272311a002200",
    json: {"kind": "RoleBinding","apiVersion": "rbac.authorization.k8s.io/v1","metadata": {"name": "rb1","creationTimestamp": null},"subjects": [{"kind": "User","apiGroup": "rbac.authorization.k8s.io","name": "alice"},{"kind": "ServiceAccount","name": "sa1","namespace": "default"}],"roleRef": {"apiGroup": "rbac.authorization.k8s.io","kind": "Role","name": "r1"}},
    fromKubectlJson: true,
  },
  {
    name: "clusterrole",
    command: "kubectl create clusterrole cr1 --verb=get --non-resource-url=/healthz",
    hex: "6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b436c7573746572526f6c6512260a130a0363723112001a0022002a00320038004200120f0a036765742a082f6865616c74687a1a002200",
    json: {"kind": "ClusterRole","apiVersion": "rbac.authorization.k8s.io/v1","metadata": {"name": "cr1","creationTimestamp": null},"rules": [{"verbs": ["get"],"nonResourceURLs": ["/healthz"]}]},
    fromKubectlJson: true,
  },
  {
    name: "clusterrolebinding",
    command: "kubectl create clusterrolebinding crb1 --clusterrole=cr1 --group=devs",
    hex: "6b3873000a320a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311212436c7573746572526f6c6542696e64696e6712710a140a046372623112001a0022002a00320038004200122a0a0547726f75701219726261632e617574686f72697a6174696f6e2e6b38732e696f1a046465767322001a2d0a19726261632e617574686f72697a6174696f6e2e6b38732e696f120b436c7573746572526f6c651a036372311a002200",
    json: {"kind": "ClusterRoleBinding","apiVersion": "rbac.authorization.k8s.io/v1","metadata": {"name": "crb1","creationTimestamp": null},"subjects": [{"kind": "Group","apiGroup": "rbac.authorization.k8s.io","name": "devs"}],"roleRef": {"apiGroup": "rbac.authorization.k8s.io","kind": "ClusterRole","name": "cr1"}},
    fromKubectlJson: true,
  },
  {
    name: "quota",
    command: "kubectl create quota q1 --hard=cpu=1,memory=1Gi,pods=10 --scopes=BestEffort",
    hex: "6b3873000a130a027631120d5265736f7572636551756f7461124f0a120a02713112001a0022002a0032003800420012370a0a0a0363707512030a01310a0f0a066d656d6f727912050a033147690a0c0a04706f647312040a023130120a426573744566666f72741a001a002200",
    json: {"kind": "ResourceQuota","apiVersion": "v1","metadata": {"name": "q1","creationTimestamp": null},"spec": {"hard": {"cpu": "1","memory": "1Gi","pods": "10"},"scopes": ["BestEffort"]},"status": {}},
    fromKubectlJson: true,
  },
  {
    name: "pdb",
    command: "kubectl create poddisruptionbudget pdb1 --selector=app=web --min-available=50%",
    hex: "6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e427564676574123d0a140a047064623112001a0022002a0032003800420012190a09080110001a03353025120c0a0a0a0361707012037765621a0a080018002000280030001a002200",
    json: {"kind": "PodDisruptionBudget","apiVersion": "policy/v1","metadata": {"name": "pdb1","creationTimestamp": null},"spec": {"minAvailable": "50%","selector": {"matchLabels": {"app": "web"}}},"status": {"disruptionsAllowed": 0,"currentHealthy": 0,"desiredHealthy": 0,"expectedPods": 0}},
    fromKubectlJson: true,
  },
  {
    name: "ingress",
    command: "kubectl create ingress ing1 --rule='foo.com/bar*=svc1:80,tls=sec'",
    hex: "6b3873000a1f0a146e6574776f726b696e672e6b38732e696f2f76311207496e6772657373125b0a140a04696e673112001a0022002a00320038004200123f120e0a07666f6f2e636f6d12037365631a2d0a07666f6f2e636f6d12220a200a1e0a042f626172120e220c0a047376633112040a0010501a065072656669781a020a001a002200",
    json: {"kind": "Ingress","apiVersion": "networking.k8s.io/v1","metadata": {"name": "ing1","creationTimestamp": null},"spec": {"tls": [{"hosts": ["foo.com"],"secretName": "sec"}],"rules": [{"host": "foo.com","http": {"paths": [{"path": "/bar","pathType": "Prefix","backend": {"service": {"name": "svc1","port": {"number": 80}}}}]}}]},"status": {"loadBalancer": {}}},
    fromKubectlJson: true,
  },
  {
    name: "deleteoptions-drain",
    command: "kubectl drain n1 --grace-period=7 (server without the eviction subresource: falls back to DELETE)",
    hex: "6b3873000a130a027631120d44656c6574654f7074696f6e73120208071a002200",
    json: {"kind": "DeleteOptions","apiVersion": "v1","gracePeriodSeconds": 7},
    fromKubectlJson: false,
  },
  {
    name: "ssar",
    command: "kubectl auth can-i list pods --subresource=log -n kube-system",
    hex: "6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a65637441636365737352657669657712440a100a0012001a0022002a0032003800420012260a240a0b6b7562652d73797374656d12046c6973741a0022002a04706f647332036c6f673a001a08080012001a0020001a002200",
    json: {"kind": "SelfSubjectAccessReview","apiVersion": "authorization.k8s.io/v1","metadata": {"creationTimestamp": null},"spec": {"resourceAttributes": {"namespace": "kube-system","verb": "list","resource": "pods","subresource": "log"}},"status": {"allowed": false}},
    fromKubectlJson: false,
  },
  {
    name: "tokenrequest",
    command: "kubectl create token sa1 --audience=api --audience=vault --duration=10m --bound-object-kind=Pod --bound-object-name=p1 --bound-object-uid=abc",
    hex: "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e52657175657374123d0a100a0012001a0022002a0032003800420012230a036170690a057661756c741a120a03506f64120276311a027031220361626320d8041a040a0012001a002200",
    json: {"kind": "TokenRequest","apiVersion": "authentication.k8s.io/v1","metadata": {"creationTimestamp": null},"spec": {"audiences": ["api","vault"],"expirationSeconds": 600,"boundObjectRef": {"kind": "Pod","apiVersion": "v1","name": "p1","uid": "abc"}},"status": {"token": "","expirationTimestamp": null}},
    fromKubectlJson: false,
  },
  {
    name: "selfsubjectreview",
    command: "kubectl auth whoami",
    hex: "6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f7631121153656c665375626a656374526576696577121a0a100a0012001a0022002a0032003800420012060a040a0012001a002200",
    json: {"kind": "SelfSubjectReview","apiVersion": "authentication.k8s.io/v1","metadata": {"creationTimestamp": null},"status": {"userInfo": {}}},
    fromKubectlJson: false,
  },
  {
    name: "ssrr",
    command: "kubectl auth can-i --list -n default",
    hex: "6b3873000a310a17617574686f72697a6174696f6e2e6b38732e696f2f7631121653656c665375626a65637452756c657352657669657712230a100a0012001a0022002a0032003800420012090a0764656661756c741a04180022001a002200",
    json: {"kind": "SelfSubjectRulesReview","apiVersion": "authorization.k8s.io/v1","metadata": {"creationTimestamp": null},"spec": {"namespace": "default"},"status": {"incomplete": false}},
    fromKubectlJson: false,
  },
  {
    name: "debug-copy-pod",
    command: "kubectl debug rich --copy-to=rich2 --image=busybox --container=dbg --share-processes=false (rich: a Pod using nearly every PodSpec field and volume source, served as JSON; expected = that JSON with the fields kubectl debug rewrites)",
    hex: "6b3873000a090a0276311203506f6412f6160a240a05726963683212001a0764656661756c7422002a0032003800420062060a016112016212bb160a220a026870121c0a1a0a052f6461746112114469726563746f72794f724372656174650a180a026564121212100a064d656d6f727912060a0436344d690a170a0367636512101a0e0a027064120465787434180120010a170a036562731210220e0a03766f6c1203786673180220010a1c0a0367697412152a130a0968747470733a2f2f7812036162631a012e0a1c0a03736563121532130a017312090a016b12017018800218a40320010a160a036e6673120f3a0d0a0373727612042f65787018010a520a056973637369124942470a0c312e322e332e343a33323630120569716e2e781800220764656661756c742a046578743430013a07312e322e332e35400152060a04636861705801620869716e2e696e69740a130a02676c120d4a0b0a0265701203766f6c18010a120a03707663120b52090a05636c61696d10010a340a03726264122d5a2b0a026d310a026d321203696d671a046578743422037262642a0561646d696e32022f6b3a040a02637340010a230a04666c6578121b62190a01641204657874341a040a02667320012a060a016f1201760a1e0a0663696e64657212146a120a026376120465787434180122040a0263730a1f0a0463657068121772150a016d12012f1a017522032f73662a030a017830010a150a07666c6f636b6572120a7a080a02646e120264750a530a0464617069124b8201480a220a066c6162656c7312150a027631120f6d657461646174612e6c6162656c7320a4020a1f0a036370751a180a046d61696e120a6c696d6974732e6370751a040a02316d10a4030a1c0a02666312168a01130a02773110031a046578743420012a036964310a130a026166120d92010a0a0261731202736818010a1d0a02636d12179a01140a050a0363666712060a016112016218ff0320000a260a0276731220a2011d0a0b5b64735d20762e766d646b1204657874341a04676f6c64220269640a1f0a0271621219aa01160a06723a3738363112017618012201752a01673201740a2d0a0261641227b201240a02646e12037572691a08526561644f6e6c79220465787434280032074d616e616765640a140a027068120eba010b0a037069641204657874340a89010a0470726f6a128001d2017d0a120a100a040a02733212060a016b12017020010a1c121a0a180a016e12130a027631120d6d657461646174612e6e616d650a0a1a080a040a02633220000a1322110a057661756c7410901c1a05746f6b656e0a252a23120d6578616d706c652e636f6d2f731a080a060a0161120162220663612e70656d280110a0020a150a027077120fc2010c0a02707612046578743418010a400a0373696f1239ca01360a02677712037379731a050a0373696f20012a027064320273703a0f5468696e50726f766973696f6e65644202766e4a0378667350010a210a03736f73121ada01170a02766e12026e731a046578743420012a050a03736f730a310a03637369122ae201270a0f6373692e6578616d706c652e636f6d10011a046578743422060a016b1201762a040a026e700aef010a0365706812e701ea01e3010ae0010a180a0012001a0022002a003200380042005a060a017412013112c3010a0d5265616457726974654f6e636512240a100a0773746f7261676512050a0332476912100a0773746f7261676512050a033147691a03707631220c120a0a016b1202496e1a01762a04666173743205426c6f636b3a2f0a17736e617073686f742e73746f726167652e6b38732e696f120e566f6c756d65536e617073686f741a04736e617042360a17736e617073686f742e73746f726167652e6b38732e696f120e566f6c756d65536e617073686f741a04736e617022056f746865724a037661630a250a03696d67121ef2011b0a0b717561792e696f2f783a31120c49664e6f7450726573656e741280050a046d61696e12056e67696e782a0032190a046874747010903f185022035443502a07302e302e302e303a060a01411201313a140a014212001a0d1a0b0a040a02636d12016b18013a110a014312001a0a22080a030a017312016b3a230a014412001a1c121a0a00120f72657175657374732e6d656d6f72791a050a03314d6942610a0a0a0363707512030a01310a0f0a066d656d6f727912050a033147690a150a0e6e76696469612e636f6d2f67707512030a0131120d0a0363707512060a043530306d12110a066d656d6f727912070a053531324d691a090a03677075120272314a220a02687010011a032f68702201732a044e6f6e6532003a0a4966506f737369626c654a150a02656410001a032f6564220032062428504f442952330a2712250a082f6865616c74687a1207080010903f1a001a0168220548545450532a060a015812017910001800200a280030005a1d0a111a0f0a0a080110001a046874747012016810001800200028003000620d0a050a030a01611204220208056a062f746d702f74720c49664e6f7450726573656e747a790a100a094e45545f41444d494e1203414c4c10001a0d0a01751201721a01742202733020e80728013001380040b8174a0744656661756c7452180a016712027b7d1a0d436f6e7461696e65725573657220005a130a094c6f63616c686f73741206702e6a736f6e62100a0e52756e74696d6544656661756c748001018801019001019a010e0a02505f12080a040a02636d10019a010d0a001a090a050a037365631000a20100aa01100a0365706812092f6465762f78766461b201160a0a2208088247120373766310001800200028003000ba01120a03637075120b4e6f74526571756972656412260a03646267120762757379626f782a0042006a007200800100880100900100a2010446696c651a094f6e4661696c757265200028901c32044e6f6e653a0b0a046469736b1203737364420273614a02736152005801600168017286010a0d0a0012001a00220573303a63311001180020042005280630023a1a0a126e65742e636f72652e736f6d6178636f6e6e12043130323442031a01754a0e4f6e526f6f744d69736d6174636852100a0e52756e74696d6544656661756c745a110a094c6f63616c686f7374120470726f6662065374726963746a0b4d6f756e744f7074696f6e7a050a03726567820101688a01037375629201a7010a420a2d0a2b0a0d0a047a6f6e651202496e1a0161121a0a0d6d657461646174612e6e616d6512054e6f74496e1a026e3212110805120d0a0b0a016b120645786973747312400a3e0a080a060a016112016212026e731a166b756265726e657465732e696f2f686f73746e616d6522002a11706f642d74656d706c6174652d686173683201781a1f121d086412190a11120f0a036170701202496e1a04726963681a047a6f6e659a01086d792d7363686564a20184010a04696e6974120762757379626f781a02736822022d632204747275652a022f7742006a142f6465762f7465726d696e6174696f6e2d6c6f677206416c77617973800100880100900100a2011546616c6c6261636b546f4c6f67734f6e4572726f72b201160a080a060a0474727565100118022003280130043805c20106416c77617973a80100b2011a0a016b1205457175616c1a017622094e6f45786563757465283cba010f0a07312e322e332e34120161120162c2010468696768c801e807d201230a07312e312e312e311203612e621a0a0a056e646f74731201321a070a0565646e7330d80100e201090a07782f7265616479ea0106677669736f72f00100fa01054e6576657282020d0a0363707512060a043235306d8a0235080112047a6f6e651a0d446f4e6f745363686564756c6522080a060a016112016228023205486f6e6f723a0649676e6f7265420168980201a202070a056c696e7578a80200b202060a0467617465ba020f0a0367707522086770752d746d706cc2020c0a0a0a0363707512030a01321a100a001a0022002a0032004a005a0072001a002200",
    json: {"kind": "Pod","apiVersion": "v1","metadata": {"name": "rich2","namespace": "default","creationTimestamp": null,"annotations": {"a": "b"}},"spec": {"volumes": [{"name": "hp","hostPath": {"path": "/data","type": "DirectoryOrCreate"}},{"name": "ed","emptyDir": {"medium": "Memory","sizeLimit": "64Mi"}},{"name": "gce","gcePersistentDisk": {"pdName": "pd","fsType": "ext4","partition": 1,"readOnly": true}},{"name": "ebs","awsElasticBlockStore": {"volumeID": "vol","fsType": "xfs","partition": 2,"readOnly": true}},{"name": "git","gitRepo": {"repository": "https://x","revision": "abc","directory": "."}},{"name": "sec","secret": {"secretName": "s","items": [{"key": "k","path": "p","mode": 256}],"defaultMode": 420,"optional": true}},{"name": "nfs","nfs": {"server": "srv","path": "/exp","readOnly": true}},{"name": "iscsi","iscsi": {"targetPortal": "1.2.3.4:3260","iqn": "iqn.x","lun": 0,"iscsiInterface": "default","fsType": "ext4","readOnly": true,"portals": ["1.2.3.5"],"chapAuthDiscovery": true,"chapAuthSession": true,"secretRef": {"name": "chap"},"initiatorName": "iqn.init"}},{"name": "gl","glusterfs": {"endpoints": "ep","path": "vol","readOnly": true}},{"name": "pvc","persistentVolumeClaim": {"claimName": "claim","readOnly": true}},{"name": "rbd","rbd": {"monitors": ["m1","m2"],"image": "img","fsType": "ext4","pool": "rbd","user": "admin","keyring": "/k","secretRef": {"name": "cs"},"readOnly": true}},{"name": "flex","flexVolume": {"driver": "d","fsType": "ext4","secretRef": {"name": "fs"},"readOnly": true,"options": {"o": "v"}}},{"name": "cinder","cinder": {"volumeID": "cv","fsType": "ext4","readOnly": true,"secretRef": {"name": "cs"}}},{"name": "ceph","cephfs": {"monitors": ["m"],"path": "/","user": "u","secretFile": "/sf","secretRef": {"name": "x"},"readOnly": true}},{"name": "flocker","flocker": {"datasetName": "dn","datasetUUID": "du"}},{"name": "dapi","downwardAPI": {"items": [{"path": "labels","fieldRef": {"apiVersion": "v1","fieldPath": "metadata.labels"},"mode": 292},{"path": "cpu","resourceFieldRef": {"containerName": "main","resource": "limits.cpu","divisor": "1m"}}],"defaultMode": 420}},{"name": "fc","fc": {"targetWWNs": ["w1"],"lun": 3,"fsType": "ext4","readOnly": true,"wwids": ["id1"]}},{"name": "af","azureFile": {"secretName": "as","shareName": "sh","readOnly": true}},{"name": "cm","configMap": {"name": "cfg","items": [{"key": "a","path": "b"}],"defaultMode": 511,"optional": false}},{"name": "vs","vsphereVolume": {"volumePath": "[ds] v.vmdk","fsType": "ext4","storagePolicyName": "gold","storagePolicyID": "id"}},{"name": "qb","quobyte": {"registry": "r:7861","volume": "v","readOnly": true,"user": "u","group": "g","tenant": "t"}},{"name": "ad","azureDisk": {"diskName": "dn","diskURI": "uri","cachingMode": "ReadOnly","fsType": "ext4","readOnly": false,"kind": "Managed"}},{"name": "ph","photonPersistentDisk": {"pdID": "pid","fsType": "ext4"}},{"name": "proj","projected": {"sources": [{"secret": {"name": "s2","items": [{"key": "k","path": "p"}],"optional": true}},{"downwardAPI": {"items": [{"path": "n","fieldRef": {"apiVersion": "v1","fieldPath": "metadata.name"}}]}},{"configMap": {"name": "c2","optional": false}},{"serviceAccountToken": {"audience": "vault","expirationSeconds": 3600,"path": "token"}},{"clusterTrustBundle": {"signerName": "example.com/s","labelSelector": {"matchLabels": {"a": "b"}},"optional": true,"path": "ca.pem"}}],"defaultMode": 288}},{"name": "pw","portworxVolume": {"volumeID": "pv","fsType": "ext4","readOnly": true}},{"name": "sio","scaleIO": {"gateway": "gw","system": "sys","secretRef": {"name": "sio"},"sslEnabled": true,"protectionDomain": "pd","storagePool": "sp","storageMode": "ThinProvisioned","volumeName": "vn","fsType": "xfs","readOnly": true}},{"name": "sos","storageos": {"volumeName": "vn","volumeNamespace": "ns","fsType": "ext4","readOnly": true,"secretRef": {"name": "sos"}}},{"name": "csi","csi": {"driver": "csi.example.com","readOnly": true,"fsType": "ext4","volumeAttributes": {"k": "v"},"nodePublishSecretRef": {"name": "np"}}},{"name": "eph","ephemeral": {"volumeClaimTemplate": {"metadata": {"labels": {"t": "1"},"creationTimestamp": null},"spec": {"accessModes": ["ReadWriteOnce"],"selector": {"matchExpressions": [{"key": "k","operator": "In","values": ["v"]}]},"resources": {"limits": {"storage": "2Gi"},"requests": {"storage": "1Gi"}},"volumeName": "pv1","storageClassName": "fast","volumeMode": "Block","dataSource": {"apiGroup": "snapshot.storage.k8s.io","kind": "VolumeSnapshot","name": "snap"},"dataSourceRef": {"apiGroup": "snapshot.storage.k8s.io","kind": "VolumeSnapshot","name": "snap","namespace": "other"},"volumeAttributesClassName": "vac"}}}},{"name": "img","image": {"reference": "quay.io/x:1","pullPolicy": "IfNotPresent"}}],"initContainers": [{"name": "init","image": "busybox","command": ["sh"],"args": ["-c","true"],"workingDir": "/w","restartPolicy": "Always","resources": {},"startupProbe": {"exec": {"command": ["true"]},"initialDelaySeconds": 1,"timeoutSeconds": 2,"periodSeconds": 3,"successThreshold": 1,"failureThreshold": 4,"terminationGracePeriodSeconds": 5},"terminationMessagePath": "/dev/termination-log","terminationMessagePolicy": "FallbackToLogsOnError","imagePullPolicy": "Always"}],"containers": [{"name": "main","image": "nginx","ports": [{"name": "http","hostPort": 8080,"containerPort": 80,"protocol": "TCP","hostIP": "0.0.0.0"}],"envFrom": [{"prefix": "P_","configMapRef": {"name": "cm","optional": true}},{"secretRef": {"name": "sec","optional": false}}],"env": [{"name": "A","value": "1"},{"name": "B","valueFrom": {"configMapKeyRef": {"name": "cm","key": "k","optional": true}}},{"name": "C","valueFrom": {"secretKeyRef": {"name": "s","key": "k"}}},{"name": "D","valueFrom": {"resourceFieldRef": {"resource": "requests.memory","divisor": "1Mi"}}}],"resources": {"limits": {"cpu": "1","memory": "1Gi","nvidia.com/gpu": "1"},"requests": {"cpu": "500m","memory": "512Mi"},"claims": [{"name": "gpu","request": "r1"}]},"resizePolicy": [{"resourceName": "cpu","restartPolicy": "NotRequired"}],"volumeMounts": [{"name": "hp","readOnly": true,"recursiveReadOnly": "IfPossible","mountPath": "/hp","subPath": "s","mountPropagation": "None"},{"name": "ed","mountPath": "/ed","subPathExpr": "$(POD)"}],"volumeDevices": [{"name": "eph","devicePath": "/dev/xvda"}],"livenessProbe": {"httpGet": {"path": "/healthz","port": 8080,"host": "h","scheme": "HTTPS","httpHeaders": [{"name": "X","value": "y"}]},"periodSeconds": 10},"readinessProbe": {"tcpSocket": {"port": "http","host": "h"}},"startupProbe": {"grpc": {"port": 9090,"service": "svc"}},"lifecycle": {"postStart": {"exec": {"command": ["a"]}},"preStop": {"sleep": {"seconds": 5}}},"terminationMessagePath": "/tmp/t","imagePullPolicy": "IfNotPresent","securityContext": {"capabilities": {"add": ["NET_ADMIN"],"drop": ["ALL"]},"privileged": false,"seLinuxOptions": {"user": "u","role": "r","type": "t","level": "s0"},"windowsOptions": {"gmsaCredentialSpecName": "g","gmsaCredentialSpec": "{}","runAsUserName": "ContainerUser","hostProcess": false},"runAsUser": 1000,"runAsGroup": 3000,"runAsNonRoot": true,"readOnlyRootFilesystem": true,"allowPrivilegeEscalation": false,"procMount": "Default","seccompProfile": {"type": "Localhost","localhostProfile": "p.json"},"appArmorProfile": {"type": "RuntimeDefault"}},"stdin": true,"stdinOnce": true,"tty": true},{"name": "dbg","image": "busybox","resources": {},"terminationMessagePolicy": "File"}],"restartPolicy": "OnFailure","terminationGracePeriodSeconds": 0,"activeDeadlineSeconds": 3600,"dnsPolicy": "None","nodeSelector": {"disk": "ssd"},"serviceAccountName": "sa","serviceAccount": "sa","automountServiceAccountToken": false,"hostNetwork": true,"hostPID": true,"hostIPC": true,"shareProcessNamespace": false,"securityContext": {"seLinuxOptions": {"level": "s0:c1"},"windowsOptions": {"runAsUserName": "u"},"runAsUser": 1,"runAsGroup": 2,"runAsNonRoot": false,"supplementalGroups": [4,5],"supplementalGroupsPolicy": "Strict","fsGroup": 6,"sysctls": [{"name": "net.core.somaxconn","value": "1024"}],"fsGroupChangePolicy": "OnRootMismatch","seccompProfile": {"type": "RuntimeDefault"},"appArmorProfile": {"type": "Localhost","localhostProfile": "prof"},"seLinuxChangePolicy": "MountOption"},"imagePullSecrets": [{"name": "reg"}],"hostname": "h","subdomain": "sub","affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "zone","operator": "In","values": ["a"]}],"matchFields": [{"key": "metadata.name","operator": "NotIn","values": ["n2"]}]}]},"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 5,"preference": {"matchExpressions": [{"key": "k","operator": "Exists"}]}}]},"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {"matchLabels": {"a": "b"}},"namespaces": ["ns"],"topologyKey": "kubernetes.io/hostname","namespaceSelector": {},"matchLabelKeys": ["pod-template-hash"],"mismatchLabelKeys": ["x"]}]},"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100,"podAffinityTerm": {"labelSelector": {"matchExpressions": [{"key": "app","operator": "In","values": ["rich"]}]},"topologyKey": "zone"}}]}},"schedulerName": "my-sched","tolerations": [{"key": "k","operator": "Equal","value": "v","effect": "NoExecute","tolerationSeconds": 60}],"hostAliases": [{"ip": "1.2.3.4","hostnames": ["a","b"]}],"priorityClassName": "high","priority": 1000,"dnsConfig": {"nameservers": ["1.1.1.1"],"searches": ["a.b"],"options": [{"name": "ndots","value": "2"},{"name": "edns0"}]},"readinessGates": [{"conditionType": "x/ready"}],"runtimeClassName": "gvisor","enableServiceLinks": false,"preemptionPolicy": "Never","overhead": {"cpu": "250m"},"topologySpreadConstraints": [{"maxSkew": 1,"topologyKey": "zone","whenUnsatisfiable": "DoNotSchedule","labelSelector": {"matchLabels": {"a": "b"}},"minDomains": 2,"nodeAffinityPolicy": "Honor","nodeTaintsPolicy": "Ignore","matchLabelKeys": ["h"]}],"setHostnameAsFQDN": true,"os": {"name": "linux"},"hostUsers": false,"schedulingGates": [{"name": "gate"}],"resourceClaims": [{"name": "gpu","resourceClaimTemplateName": "gpu-tmpl"}],"resources": {"limits": {"cpu": "2"}}},"status": {}},
    fromKubectlJson: false,
  },
  {
    name: "job-from-cronjob",
    command: "kubectl create job fromcj --from=cronjob/richcj (richcj: a CronJob whose jobTemplate uses every JobSpec field, served as JSON)",
    hex: "6b3873000a0f0a0862617463682f763112034a6f6212f1020a770a0666726f6d636a12001a0022002a003200380042005a060a016a120131622b0a2163726f6e6a6f622e6b756265726e657465732e696f2f696e7374616e746961746512066d616e75616c62060a01781201796a220a0743726f6e4a6f621a0672696368636a2203636a752a0862617463682f7631300112eb0108021005186422080a060a01731201312801325f0a180a0012001a0022002a003200380042005a060a0173120131124312200a0163120762757379626f782a0042006a007200800100880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a0100c20100380040004a07496e646578656450005a3e0a180a074661696c4a6f62120d0a01631202496e1801180218030a220a0649676e6f72651a180a1044697372757074696f6e5461726765741204547275656001680272064661696c65647a0f6578616d706c652e636f6d2f63746c8201090a070a03302d3210011a082000280030003a001a002200",
    json: {"kind": "Job","apiVersion": "batch/v1","metadata": {"name": "fromcj","creationTimestamp": null,"labels": {"j": "1"},"annotations": {"cronjob.kubernetes.io/instantiate": "manual","x": "y"},"ownerReferences": [{"apiVersion": "batch/v1","kind": "CronJob","name": "richcj","uid": "cju","controller": true}]},"spec": {"parallelism": 2,"completions": 5,"activeDeadlineSeconds": 100,"podFailurePolicy": {"rules": [{"action": "FailJob","onExitCodes": {"containerName": "c","operator": "In","values": [1,2,3]}},{"action": "Ignore","onPodConditions": [{"type": "DisruptionTarget","status": "True"}]}]},"successPolicy": {"rules": [{"succeededIndexes": "0-2","succeededCount": 1}]},"backoffLimit": 0,"backoffLimitPerIndex": 1,"maxFailedIndexes": 2,"selector": {"matchLabels": {"s": "1"}},"manualSelector": true,"template": {"metadata": {"labels": {"s": "1"},"creationTimestamp": null},"spec": {"containers": [{"name": "c","image": "busybox","resources": {}}],"restartPolicy": "Never"}},"ttlSecondsAfterFinished": 0,"completionMode": "Indexed","suspend": false,"podReplacementPolicy": "Failed","managedBy": "example.com/ctl"},"status": {}},
    fromKubectlJson: false,
  },
];

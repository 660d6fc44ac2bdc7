# 民意 minyi：中文（默认）文案。
# 每个键都须在 locales/en/main.ftl 中有对应的英文；tidy 测试会检查。

## 填写校验

err-required = 此项为必填项，请填写
err-too-long = 内容过长，请控制在 { $max } 个字以内
err-too-many = 最多可填写 { $max } 项，请精简后再提交
err-control-chars = 内容中含有无法识别的特殊字符，请删除后重新填写
err-yes-no = 请填写“是”或“否”
err-code = 编号只能由字母、数字、“-”和“_”组成，长度为 2 至 32 位
err-mobile = 请填写正确的手机号码（11位，以1开头）
err-phone = 请填写正确的联系电话，如 0576-86123456 或 11 位手机号码
err-gender = 性别请填写“男”或“女”

## 区域

err-region-code = 请填写正确的行政区划代码（6 位、9 位或 12 位数字）
err-region-level = 请填写正确的层级：省、市、县（市、区）、乡镇（街道）或村（社区）
err-region-parent-level = 上级区域须正好高一级，请核对上级代码
err-region-move = 区域建立后，层级和上级区域不能更改；如需调整，请联系系统管理员
err-unknown-region = 未找到代码为“{ $code }”的区域，请核对后重新填写

## 联络站、工作室、代表委员、承办单位

err-unit-kind = 请填写正确的类型：联络站或委员工作室
err-studio-kind = 请填写工作室类别：镇街或界别
err-unknown-unit = 未找到编号为“{ $code }”的联络站或工作室，请核对后重新填写
err-body = 请填写正确的类别：人大代表或政协委员
err-deputy-level = 请填写代表层级：全国、省、市、县或乡镇
err-duplicate = “{ $code }”已被使用，请更换后再提交

## 账号与登录

err-username = 用户名须为 3 至 32 位，可使用小写字母、数字及“.”“_”“-”
err-username-fixed = 用户名设立后不能修改
err-role = 请选择正确的角色
err-unknown-scope = 未找到编号为“{ $code }”的归属单位，请核对角色与归属编号是否对应
err-own-role = 不能更改自己的角色，也不能停用自己的账号
err-password-short = 密码至少需要 { $min } 位，请重新设置
err-password-weak = 密码过于简单，请不要使用纯数字或与用户名相同的密码
err-password-wrong = 当前密码不正确，请重新输入
err-login-failed = 用户名或密码不正确，请核对后重新输入

## 导入

err-file-empty = 文件中没有可导入的数据，请检查后重新上传
err-file-format = 无法读取该文件，请上传 CSV 或 Excel（.xlsx）格式的文件
err-file-too-large = 文件过大，请上传不超过 { $mb } MB 的文件
err-file-too-many-rows = 一次最多导入 { $max } 行，请分批上传
err-file-missing-columns = 文件缺少必填列：{ $columns }。建议先导出一份模板，在模板上填写
err-row-out-of-scope = 这一行的数据不在您的管理范围内，请删除该行或联系上级管理员
err-import-done = 这批数据已经导入，无需重复提交
err-import-stale = 预览之后数据已有变动（第 { $row } 行“{ $column }”），请重新上传文件预览

# minyi: English texts.
# Every key must also be in locales/zh-CN/main.ftl; the tidy test checks this.

## Checking what was entered

err-required = Please fill in this field.
err-too-long = Please keep this to { $max } characters or fewer.
err-too-many = Please list at most { $max } items.
err-control-chars = This contains special characters that cannot be used; please remove them.
err-yes-no = Please answer "yes" or "no".
err-code = A code may use letters, digits, "-" and "_", and be 2 to 32 characters long.
err-mobile = Please enter a valid mobile number (11 digits, starting with 1).
err-phone = Please enter a valid telephone number, such as 0576-86123456 or an 11-digit mobile number.
err-gender = Please enter "male" or "female".

## Regions

err-region-code = Please enter a valid administrative division code (6, 9 or 12 digits).
err-region-level = Please enter a valid level: province, city, county, town (street) or village (community).
err-region-parent-level = The parent region must be exactly one level higher; please check the parent code.
err-region-move = A region's level and parent cannot change once it exists; please ask a system administrator.
err-unknown-region = No region has the code "{ $code }"; please check it.

## Stations, studios, representatives, departments

err-unit-kind = Please enter a valid kind: liaison station or member studio.
err-studio-kind = Please enter the kind of studio: town or sector.
err-unknown-unit = No station or studio has the code "{ $code }"; please check it.
err-body = Please enter a valid body: People's Congress deputy or CPPCC member.
err-deputy-level = Please enter the deputy's level: national, provincial, city, county or town.
err-duplicate = "{ $code }" is already in use; please choose another.

## Accounts and signing in

err-username = A username has 3 to 32 characters: lower-case letters, digits, ".", "_" or "-".
err-username-fixed = A username cannot be changed once the account exists.
err-role = Please choose a valid role.
err-unknown-scope = Nothing with the code "{ $code }" fits this role; please check the role and the code.
err-own-role = You cannot change your own role or switch off your own account.
err-password-short = A password needs at least { $min } characters.
err-password-weak = This password is too easy to guess; please do not use only digits or your username.
err-password-wrong = The current password is not correct; please try again.
err-login-failed = The username or password is not correct; please check and try again.

## Importing

err-file-empty = The file holds no data to import; please check it and upload it again.
err-file-format = This file cannot be read; please upload a CSV or Excel (.xlsx) file.
err-file-too-large = The file is too large; please upload a file of at most { $mb } MB.
err-file-too-many-rows = At most { $max } rows can be imported at once; please split the file.
err-file-missing-columns = The file lacks required columns: { $columns }. Exporting a template first and filling it in helps.
err-row-out-of-scope = This row lies outside what you manage; please remove it or ask a higher-level administrator.
err-import-done = This batch has already been imported.
err-import-stale = The data changed after the preview (row { $row }, "{ $column }"); please upload the file again.

-- The tutorial's account and databases, as part4_mysql/compose.yaml creates them.
-- Run it as a user allowed to create users; running it again changes nothing.

-- A freshly initialised MariaDB data folder may hold an anonymous account,
-- ''@'localhost', with no rights at all. For a login from 127.0.0.1 MariaDB
-- picks it over 'tutorial'@'%', and the app gets "Access denied for user
-- 'tutorial'@'localhost' (using password: YES)". mariadb-secure-installation
-- would remove it too.
DROP USER IF EXISTS ''@'localhost';

-- Parts 4, 5 and 6 each keep their prompts in a database of their own.
CREATE DATABASE IF NOT EXISTS prompt_library
    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS prompt_library_part5
    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS prompt_library_part6
    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE USER IF NOT EXISTS 'tutorial'@'%' IDENTIFIED BY 'tutorial-dev-only';
GRANT ALL PRIVILEGES ON prompt_library.* TO 'tutorial'@'%';
GRANT ALL PRIVILEGES ON prompt_library_part5.* TO 'tutorial'@'%';
GRANT ALL PRIVILEGES ON prompt_library_part6.* TO 'tutorial'@'%';
-- The test suite works in throwaway databases named prompt_library_test_*.
GRANT ALL PRIVILEGES ON `prompt\_library\_test\_%`.* TO 'tutorial'@'%';
